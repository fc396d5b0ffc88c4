"""Edit `~/.aws/config` and `~/.aws/credentials` as a careful person would: the keys asked for, no other byte.

The model is the file's own lines, each classified exactly as botocore's parser classifies it
(`botocore.configloader.raw_config_parse`, which is `configparser.RawConfigParser` with its defaults plus one
level of nested `key =` blocks). So an edit lands where botocore will read it, and comments, blank lines,
spacing, line endings, other sections and nested blocks stay as they were.

botocore's reading, which the model follows (configparser, Python 3.9 to 3.13):
- a line is a comment when it starts, after whitespace, with `#` or `;`; there are no inline comments in
  values (`region = x # y` has the value `x # y`), but text after a section header's last `]` is ignored;
- a line indented deeper than the line that started the current option continues it, even across blank and
  comment lines; an option whose value starts on the next line is a nested block (`s3 =` + `key = value`s);
- `=` or `:` separates key and value; keys are case-insensitive; a section or key twice is an error;
- `[DEFAULT]` is not a section: its keys are inherited by every section;
- lines end at `\\n`, `\\r\\n` or `\\r` (universal newlines).

A file botocore cannot read is refused with the line that breaks it: every AWS call already fails on it, and
there is no telling which section botocore would have used.
"""

from awscli_gitpod.awsconfig.configfile import ConfigFile
from awscli_gitpod.awsconfig.files import backup, edit
from awscli_gitpod.awsconfig.lines import AwsConfigError, Kind, Value, profile_section
from awscli_gitpod.awsconfig.paths import config_path, credentials_path
from awscli_gitpod.awsconfig.reading import check_readable, get, profiles, sections

__all__ = [
    "AwsConfigError",
    "ConfigFile",
    "Kind",
    "Value",
    "backup",
    "check_readable",
    "config_path",
    "credentials_path",
    "edit",
    "get",
    "profile_section",
    "profiles",
    "sections",
]
