"""Makes DjaoDjin proxy sessions with the proxy's own Python package, djaodjin-deployutils, so
that mublog's tests read what the real package writes (scripts/lib.sh installs it in target/py).

    djaodjin-session.py jwt|cookie [--expired]   < session.json   > token
    djaodjin-session.py encrypt                  < any text       > cookie value
    djaodjin-session.py decode jwt|cookie        < token          > session.json

The secret is DJAODJIN_SECRET_KEY from the environment, as for deployutils.
"""
import datetime, json, os, sys

import django
from django.conf import settings

settings.configure(
    DJAODJIN_SECRET_KEY=os.environ["DJAODJIN_SECRET_KEY"],
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions"],
    BASE_DIR=os.path.dirname(os.path.abspath(__file__)),
)
django.setup()

import jwt  # noqa: E402 (after Django's settings, as the package needs them)
from deployutils import crypt  # noqa: E402
from deployutils.apps.django_deployutils import settings as deployutils_settings  # noqa: E402
from deployutils.apps.django_deployutils.backends import (  # noqa: E402
    encrypted_cookies,
    jwt_session_store,
)


def main(kind, *flags):
    text = sys.stdin.read()
    secret = deployutils_settings.DJAODJIN_SECRET_KEY
    if kind == "cookie":
        out = encrypted_cookies.SessionStore.prepare(json.loads(text), passphrase=secret)
    elif kind == "jwt" and "--expired" in flags:
        # `prepare` always sets `exp` two hours ahead; this is its encoding with `exp` past.
        exp = int(datetime.datetime.now(datetime.timezone.utc).timestamp()) - 3600
        out = jwt.encode(dict(json.loads(text), exp=exp), secret, deployutils_settings.JWT_ALGORITHM,
            json_encoder=crypt.JSONEncoder)
    elif kind == "jwt":
        out = jwt_session_store.SessionStore.prepare(json.loads(text), passphrase=secret)
    elif kind == "encrypt":
        out = crypt.encrypt(text, passphrase=secret).decode("ascii")
    elif kind == "decode" and flags == ("cookie",):
        # What the package's encrypted-cookie session store does before it authenticates.
        out = json.dumps(json.loads(crypt.decrypt(text.strip(), passphrase=secret)))
    elif kind == "decode" and flags == ("jwt",):
        # What its JWT session store does before it authenticates.
        out = json.dumps(jwt.decode(text.strip(), secret, algorithms=[deployutils_settings.JWT_ALGORITHM]))
    else:
        sys.exit(__doc__)
    print(out)


if __name__ == "__main__":
    main(*sys.argv[1:])
