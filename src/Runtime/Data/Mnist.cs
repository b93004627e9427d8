using System.Security.Cryptography;

namespace Intriguing.Data;

/// <summary>The MNIST training and test sets, pixels scaled to [0, 1].</summary>
/// <param name="Train">The 60,000 training images.</param>
/// <param name="Test">The 10,000 test images.</param>
public sealed record MnistData(Dataset Train, Dataset Test);

/// <summary>Loads MNIST from its four original IDX files and finds or fetches them.</summary>
/// <remarks>
/// Where the files are looked for, in order: the directory given by the caller (the CLI's <c>--data</c>), the
/// directory in the environment variable <see cref="DataVariable"/>, then the per-user cache
/// (<see cref="CacheDirectory"/>). If none holds them, <see cref="Locate"/> can download them into the cache from
/// the mirrors in <see cref="Mirrors"/>, verifying each file's SHA-256 before it is kept.
/// </remarks>
public static class Mnist
{
    /// <summary>Environment variable naming a directory that holds the four files.</summary>
    public const string DataVariable = "INTRIGUING_DATA";

    /// <summary>The four files with their SHA-256 checksums.</summary>
    public static readonly IReadOnlyList<(string File, string Sha256)> Files = new[]
    {
        ("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
        ("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
        ("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
        ("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
    };

    /// <summary>Download locations tried in order (the file name is appended).</summary>
    public static readonly IReadOnlyList<string> Mirrors = new[]
    {
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    };

    /// <summary>The per-user cache directory: <c>$XDG_CACHE_HOME/intriguing/mnist</c> or <c>~/.cache/intriguing/mnist</c>.</summary>
    public static string CacheDirectory
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "intriguing", "mnist");
        }
    }

    /// <summary>Whether <paramref name="directory"/> holds the four files (raw or .gz).</summary>
    public static bool HasFiles(string? directory) =>
        !string.IsNullOrEmpty(directory) && Files.All(f => FindFile(directory, f.File) is not null);

    /// <summary>
    /// Finds a directory holding the four files: <paramref name="explicitDirectory"/>, then <see cref="DataVariable"/>,
    /// then the cache; downloads into the cache if <paramref name="download"/> is set and none has them.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The files are nowhere and could not be downloaded; the message says where to put them.</exception>
    public static string Locate(string? explicitDirectory, bool download = true, IProgress<(string File, long Done, long Total)>? progress = null, TextWriter? log = null)
    {
        if (!string.IsNullOrEmpty(explicitDirectory))
        {
            if (HasFiles(explicitDirectory)) return explicitDirectory;
            throw new DirectoryNotFoundException($"--data {explicitDirectory}: the directory does not hold the four MNIST files ({string.Join(", ", Files.Select(f => f.File))}).");
        }

        string? env = Environment.GetEnvironmentVariable(DataVariable);
        if (!string.IsNullOrEmpty(env))
        {
            if (HasFiles(env)) return env;
            throw new DirectoryNotFoundException($"{DataVariable}={env}: the directory does not hold the four MNIST files ({string.Join(", ", Files.Select(f => f.File))}).");
        }

        string cache = CacheDirectory;
        if (HasFiles(cache)) return cache;

        string problems = "";
        if (download)
        {
            try
            {
                Download(cache, progress, log);
                return cache;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or InvalidDataException)
            {
                problems = $" Downloading failed: {e.Message}.";
            }
        }

        throw new DirectoryNotFoundException(
            "The MNIST files were not found." + problems + " Put the four files " + string.Join(", ", Files.Select(f => f.File))
            + $" in {cache}, or in a directory named by --data DIR or the {DataVariable} environment variable.");
    }

    /// <summary>Downloads the four files into <paramref name="directory"/>, verifying SHA-256; a file is kept only if it verifies.</summary>
    public static void Download(string directory, IProgress<(string File, long Done, long Total)>? progress = null, TextWriter? log = null)
    {
        Directory.CreateDirectory(directory);
        // A closed network often drops packets instead of refusing them: give up on a mirror after 20 s without a connection.
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(20) }) { Timeout = TimeSpan.FromMinutes(5) };
        foreach (var (file, sha) in Files)
        {
            string target = Path.Combine(directory, file);
            if (File.Exists(target) && Sha256Of(target) == sha) continue;
            Exception? last = null;
            foreach (string mirror in Mirrors)
            {
                string temp = target + ".part";
                try
                {
                    log?.WriteLine($"Downloading {mirror}{file}");
                    using (HttpResponseMessage response = http.GetAsync(mirror + file, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult())
                    {
                        response.EnsureSuccessStatusCode();
                        long total = response.Content.Headers.ContentLength ?? -1;
                        using Stream body = response.Content.ReadAsStream();
                        using FileStream output = File.Create(temp);
                        byte[] buffer = new byte[1 << 16];
                        long done = 0;
                        int n;
                        while ((n = body.Read(buffer)) > 0)
                        {
                            output.Write(buffer, 0, n);
                            done += n;
                            progress?.Report((file, done, total));
                        }
                    }

                    string actual = Sha256Of(temp);
                    if (actual != sha) throw new InvalidDataException($"{file} from {mirror} has SHA-256 {actual}, expected {sha}");
                    File.Move(temp, target, overwrite: true);
                    last = null;
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or InvalidDataException)
                {
                    last = e;
                    if (File.Exists(temp)) File.Delete(temp);
                }
            }

            if (last is not null) throw new IOException($"could not download {file}: {last.Message}", last);
        }
    }

    /// <summary>Largest file <see cref="Verify"/> hashes: far above the largest MNIST file (9.9 MB), so that a huge file is refused rather than read.</summary>
    private const long MaxVerifiedLength = 64L << 20;

    /// <summary>
    /// Checks the four .gz files in <paramref name="directory"/> against their published SHA-256 (<see cref="Files"/>),
    /// before anything is loaded from them; an uncompressed copy cannot be checked and is refused too.
    /// </summary>
    /// <exception cref="IdxFormatException">A file is missing its .gz form, is not a regular file, is too large, or has another checksum; the message names it.</exception>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    public static void Verify(string directory)
    {
        foreach ((string file, string sha) in Files)
        {
            string path = FindFile(directory, file) ?? throw new FileNotFoundException($"{file} (or {file[..^3]}) not found in {directory}", Path.Combine(directory, file));
            if (!path.EndsWith(".gz", StringComparison.Ordinal))
            {
                throw new IdxFormatException(path, $"an uncompressed copy cannot be checked against the published SHA-256 of {file}; use the original .gz file");
            }

            string actual = Sha256Of(path);
            if (actual != sha) throw new IdxFormatException(path, $"has SHA-256 {actual}, not the published {sha}: the file is corrupt or not the original; replace it with the original file");
        }
    }

    /// <summary>Loads the training and test sets from <paramref name="directory"/>, pixels divided by 255.</summary>
    public static MnistData Load(string directory) => new(
        LoadSet(directory, "train", "MNIST train", 60_000),
        LoadSet(directory, "t10k", "MNIST test", 10_000));

    /// <summary>Loads one set from an images file and a labels file; checks that their counts and sizes agree.</summary>
    public static Dataset LoadPair(string imagesPath, string labelsPath, string name)
    {
        IdxArray images = IdxReader.Read(imagesPath, 3);
        IdxArray labels = IdxReader.Read(labelsPath, 1);
        if (images.Dimensions[0] != labels.Dimensions[0])
        {
            throw new IdxFormatException(labelsPath, $"holds {labels.Dimensions[0]:N0} labels but {imagesPath} holds {images.Dimensions[0]:N0} images");
        }

        int length = images.Dimensions[1] * images.Dimensions[2];
        float[] pixels = new float[images.Values.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = images.Values[i] / 255f;
        int[] y = new int[labels.Values.Length];
        for (int i = 0; i < y.Length; i++)
        {
            if (labels.Values[i] > 9) throw new IdxFormatException(labelsPath, $"label {labels.Values[i]} of item {i} is not a digit 0-9");
            y[i] = labels.Values[i];
        }

        return new Dataset(name, pixels, y, length, 10) { InputRange = new ActivationBox(0, 1), SampleShape = [1, images.Dimensions[1], images.Dimensions[2]] };
    }

    private static Dataset LoadSet(string directory, string prefix, string name, int expectedCount)
    {
        string images = FindFile(directory, $"{prefix}-images-idx3-ubyte.gz") ?? throw new FileNotFoundException($"{prefix}-images-idx3-ubyte(.gz) not found in {directory}");
        string labels = FindFile(directory, $"{prefix}-labels-idx1-ubyte.gz") ?? throw new FileNotFoundException($"{prefix}-labels-idx1-ubyte(.gz) not found in {directory}");
        Dataset set = LoadPair(images, labels, name);
        if (set.SampleLength != 784) throw new IdxFormatException(images, $"images are {set.SampleLength} pixels, expected 28 × 28 = 784");
        if (set.Count != expectedCount) throw new IdxFormatException(images, $"holds {set.Count:N0} images, expected {expectedCount:N0} for {name}");
        return set;
    }

    /// <summary>The .gz file, or the same name without .gz, in <paramref name="directory"/>; null if neither exists.</summary>
    private static string? FindFile(string directory, string gzName)
    {
        string gz = Path.Combine(directory, gzName);
        if (File.Exists(gz)) return gz;
        string raw = Path.Combine(directory, gzName[..^3]);
        return File.Exists(raw) ? raw : null;
    }

    /// <summary>The SHA-256 of a regular file of at most <see cref="MaxVerifiedLength"/> bytes.</summary>
    private static string Sha256Of(string path)
    {
        FileKind.RequireRegular(path, problem => new IdxFormatException(path, problem));
        long length = new FileInfo(path).Length;
        if (length > MaxVerifiedLength) throw new IdxFormatException(path, $"is {length:N0} bytes, larger than any MNIST file; refusing to read it");
        using FileStream s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
