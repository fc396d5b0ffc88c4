"""How much `aws-gitpod creds` costs, on the local test bed.

Run by hand: `.venv/bin/python benchmarks/creds.py`. It measures:

1. A cache hit, which runs before every AWS call that uses the profile, against a bare `python -c pass`
   of the same interpreter: through the launcher `login` writes into profiles (target: ratio <= 1.25
   whatever installed the package), and through the installer's console script for comparison. Peak RSS
   target: <= 20 MiB.
2. A cold `aws-gitpod creds --no-cache` (mint a token through `gp`, one STS call) against what
   `gp idp login aws` runs: `gp idp token`, `aws sts assume-role-with-web-identity` and three
   `aws configure set` (target: ratio <= 0.35).

`--pip 24.0` also installs the package (not editable) into a throwaway virtualenv with that pip, whose
console-script wrapper imports `re` as pip before 25.3 writes them, and measures both ways there.
The package is byte-compiled first, as an install from a wheel would be: with PYTHONDONTWRITEBYTECODE set,
an editable checkout would otherwise compile our modules on every run.
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from awscli_gitpod import launcher
from awscli_gitpod.testing.testbed import running_testbed

# Runs the command from a bare interpreter: a child's peak RSS (ru_maxrss) includes what it inherited
# across fork, so forking from this process, with moto loaded, would report our size, not the child's.
LAUNCHER = """
import os, sys, time
runs, argv = int(sys.argv[1]), sys.argv[2:]
for _ in range(runs):
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.execvp(argv[0], argv)
    _, status, usage = os.wait4(pid, 0)
    print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status), flush=True)
"""


def measure(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, int]:
    """Median seconds and the largest peak RSS (KiB) over `runs` runs, after one warm-up run."""
    output = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(runs + 1), *argv],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    samples = [line.split() for line in output.stdout.splitlines()][1:]
    if any(code != "0" for _, _, code in samples):
        sys.exit(f"{' '.join(argv[:3])} failed: {output.stderr.strip()}")
    return statistics.median(float(t) for t, _, _ in samples), max(int(rss) for _, rss, _ in samples)


def install_with_pip(version: str, venv: Path) -> tuple[str, str, str, str]:
    """A throwaway virtualenv with pip `version` and this checkout installed (not editable) by it."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    quiet = ["--quiet", "--disable-pip-version-check"]
    subprocess.run([python, "-m", "pip", "install", *quiet, f"pip=={version}"], check=True)
    subprocess.run([python, "-m", "pip", "install", *quiet, launcher.PACKAGE_PARENT], check=True)
    site = subprocess.run(
        [
            python,
            "-c",
            "import awscli_gitpod, os; print(os.path.dirname(os.path.dirname(awscli_gitpod.__file__)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"installed by pip {version}", python, site, str(venv / "bin" / "aws-gitpod")


def main() -> int:
    parser = argparse.ArgumentParser(description="How much aws-gitpod creds costs.")
    parser.add_argument("--runs", type=int, default=40, help="runs per cached measurement")
    parser.add_argument("--cold-runs", type=int, default=8, help="runs per cold measurement")
    parser.add_argument(
        "--pip", metavar="VERSION", help="also measure an install made by this pip (e.g. 24.0)"
    )
    options = parser.parse_args()
    compileall.compile_dir(launcher.PACKAGE_PARENT + "/awscli_gitpod", quiet=1)

    executable = shutil.which("aws-gitpod", path=str(Path(sys.executable).parent))
    aws = shutil.which("aws", path=str(Path(sys.executable).parent))
    if executable is None or aws is None:
        print(f"run with the project's virtualenv python: no aws-gitpod or aws next to {sys.executable}")
        return 2
    with tempfile.TemporaryDirectory() as root, running_testbed(Path(root)) as bed:
        creds = [executable, "creds", "--role", bed.role_arn, "--region", "eu-west-1"]
        bare, bare_rss = measure([sys.executable, "-c", "pass"], bed.env, options.runs)
        print(f"baseline:   python -c pass   {bare * 1000:6.1f} ms, peak RSS {bare_rss / 1024:5.1f} MiB")
        installs = [("this environment", sys.executable, launcher.PACKAGE_PARENT, executable)]
        if options.pip:
            installs.append(install_with_pip(options.pip, Path(root) / "pip-venv"))
        for name, python, package_parent, console_script in installs:
            script = Path(root) / f"launcher-{len(name)}"
            script.write_text(launcher.script(python, package_parent))
            script.chmod(0o700)
            arguments = creds[1:]
            hit, hit_rss = measure(
                [str(script), *arguments], bed.env, options.runs
            )  # warm-up fills the cache
            wrapped, _ = measure([console_script, *arguments], bed.env, options.runs)
            print(f"{name}:")
            print(f"  launcher:       {hit * 1000:6.1f} ms, ratio {hit / bare:.2f} (target <= 1.25)", end="")
            print(f", peak RSS {hit_rss / 1024:.1f} MiB")
            print(f"  console script: {wrapped * 1000:6.1f} ms, ratio {wrapped / bare:.2f}")

        cold, _ = measure([*creds, "--no-cache"], bed.env, options.cold_runs)
        login = ["gp", "idp", "login", "aws", "--role-arn", bed.role_arn, "--profile", "bench"]
        gp_login, _ = measure(login, bed.env, options.cold_runs)
        print(f"cold:       aws-gitpod creds --no-cache {cold * 1000:6.0f} ms")
        print(
            f"baseline:   gp idp login aws            {gp_login * 1000:6.0f} ms"
            "  (token, STS, 3x aws configure set)"
        )
        print(f"ratio:      {cold / gp_login:.2f}  (target <= 0.35)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
