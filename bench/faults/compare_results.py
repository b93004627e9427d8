"""Compares two reproduce output folders: every results.json and advtrain JSON figure (timings, host and
FromCheckpoint aside) and the SHA-256 of every checkpoint. Usage: compare_results.py REF RUN"""
import hashlib, json, pathlib, re, sys

SKIP = re.compile(r'(second|time|elapsed|date|duration|host|commit|version|machine|threads|fromcheckpoint|msper)', re.I)

def walk(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if SKIP.search(k):
                continue
            if k not in a or k not in b:
                out.append(f'{path}/{k} missing')
            else:
                walk(a[k], b[k], f'{path}/{k}', out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f'{path}: {len(a)} != {len(b)} items')
        else:
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f'{path}[{i}]', out)
    elif a != b:
        out.append(f'{path}: {a} != {b}')

ref, run = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
differences = []
for f in sorted(ref.rglob('*.json')):
    other = run / f.relative_to(ref)
    if not other.exists():
        differences.append(f'{other} missing')
        continue
    walk(json.loads(f.read_text()), json.loads(other.read_text()), str(f.relative_to(ref)), differences)
for f in sorted(ref.rglob('*.ckpt')):
    other = run / f.relative_to(ref)
    if not other.exists() or hashlib.sha256(f.read_bytes()).digest() != hashlib.sha256(other.read_bytes()).digest():
        differences.append(f'checkpoint {f.relative_to(ref)} differs')
print(f'{len(differences)} differences')
print('\n'.join(differences[:50]))
sys.exit(1 if differences else 0)
