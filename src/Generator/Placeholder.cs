namespace Intriguing.Generator; internal static class Placeholder { }
