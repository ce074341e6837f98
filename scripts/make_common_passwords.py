"""Write maturity/auth/common_passwords.txt: the passwords people choose most often.

The list comes from the frequency data of the `zxcvbn` package (MIT licence; its "passwords"
list, ranked most common first, from published password leaks). Only the app's list file is
kept in the repository; zxcvbn is needed just to run this script again:

    .venv/bin/pip install zxcvbn && .venv/bin/python scripts/make_common_passwords.py
"""

from pathlib import Path

from zxcvbn.frequency_lists import FREQUENCY_LISTS

TARGET = Path(__file__).resolve().parent.parent / "maturity" / "auth" / "common_passwords.txt"


def main() -> None:
    seen: dict[str, None] = {}
    for password in FREQUENCY_LISTS["passwords"]:
        seen.setdefault(password.strip().lower(), None)
    words = [word for word in seen if word]
    header = [
        "# The most common passwords, most common first, lower case, one a line.",
        "# Made by scripts/make_common_passwords.py; read by maturity/auth/passwords.py.",
    ]
    TARGET.write_text("\n".join(header + words) + "\n", encoding="utf-8")
    print(f"{len(words)} passwords written to {TARGET}")


if __name__ == "__main__":
    main()
