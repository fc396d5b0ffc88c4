"""How much more 100 Parameter Store parameters by path cost than one by name, through
`aws-gitpod secrets export`, on the local test bed.

Run by hand: `.venv/bin/python benchmarks/ssm_path.py`. Each run is a whole CLI process with `--role`
(credentials from the shared cache after the warm-up run), as a `.gitpod.yml` task runs it:

1. one parameter, `ssm:/bench/app/p000` (one GetParameter), against
2. the 100 parameters below `ssm:/bench/app/` (GetParametersByPath, 10 a page: 10 calls): target ratio <= 1.5;
3. for information, the same 100 named one by one (GetParameters, 10 names a call: 10 calls).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from secrets_batch import command_line, measure

from awscli_gitpod.testing.aws import admin_client
from awscli_gitpod.testing.testbed import running_testbed

TARGET = 1.5
COUNT = 100


def main() -> int:
    runs, executable = command_line("How much more 100 parameters by path cost than one.")
    if executable is None:
        return 2

    with tempfile.TemporaryDirectory() as root, running_testbed(Path(root)) as bed:
        client = admin_client(bed.aws.endpoint_url, "ssm", "eu-west-1")
        names = [f"/bench/app/{'db' if index % 2 else 'api'}/p{index:03d}" for index in range(COUNT)]
        for index, name in enumerate(names):
            client.put_parameter(Name=name, Value=f"value-{index}-" + "x" * 200, Type="SecureString")
        export = [executable, "secrets", "export", "--format", "json", "--role", bed.role_arn]

        def calls_per_run(argv: list[str]) -> tuple[float, dict[str, float]]:
            bed.aws.reset_calls()
            seconds = measure(argv, bed.env, runs)
            made = runs + 1  # with the warm-up run
            calls = bed.aws.all_calls().items()
            return seconds, {name[4:]: count / made for name, count in calls if name.startswith("ssm:")}

        one, one_calls = calls_per_run([*export, f"ssm:{names[0]}"])
        path, path_calls = calls_per_run([*export, "ssm:/bench/app/"])
        by_name, name_calls = calls_per_run([*export, *(f"ssm:{name}" for name in names)])

        def show(label: str, seconds: float, calls: dict[str, float]) -> None:
            made = ", ".join(f"{count:.0f} {action}" for action, count in sorted(calls.items()))
            print(f"{label:<28}{seconds * 1000:6.0f} ms  ({made})")

        show("1 parameter:", one, one_calls)
        show(f"{COUNT} parameters by path:", path, path_calls)
        print(f"{'ratio:':<28}{path / one:6.2f}     (target <= {TARGET})")
        show(f"{COUNT} parameters by name:", by_name, name_calls)
    return 0 if path / one <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
