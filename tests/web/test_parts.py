"""The dashboard's parts without a server: CSRF tokens, the session store, autoescaping, the assets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from jinja2 import Environment, PackageLoader
from sqlalchemy import select

from baryon.crypto import SecretBox
from baryon.store.db import Store
from baryon.web import csrf, render
from baryon.web.calls import Credentials
from baryon.web.pages.org import Children, Node
from baryon.web.sessions import LIFETIME, Sessions
from baryon.web.tables import WebSession

WEB = Path(__file__).parents[2] / "baryon" / "web"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(Fernet.generate_key())


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'baryon.db'}")
    store.migrate()
    return store


def test_csrf_tokens_are_per_session_and_per_key(box: SecretBox) -> None:
    token = csrf.token(box, "session-a")
    assert csrf.valid(box, "session-a", token)
    assert not csrf.valid(box, "session-b", token)
    assert not csrf.valid(SecretBox(Fernet.generate_key()), "session-a", token)
    assert not csrf.valid(box, "session-a", None) and not csrf.valid(box, None, token)
    assert not csrf.valid(box, "session-a", token + "x")


def test_sessions_keep_a_hash_of_the_id_and_sealed_credentials(store: Store, box: SecretBox) -> None:
    sessions = Sessions(store, box)
    now = datetime.now(UTC)
    started = sessions.create(Credentials("AKIAEXAMPLE", SECRET, TOKEN), "arn:aws:iam::1:user/a", "111122223333", now)
    with store.session() as db:
        row = db.scalars(select(WebSession)).one()
        assert row.id_hash != started.session_id and started.session_id not in row.id_hash
        assert SECRET not in row.credentials and TOKEN not in row.credentials
        assert row.expires_at == now + LIFETIME
    found = sessions.find(started.session_id, now)
    assert found is not None and found.credentials == Credentials("AKIAEXAMPLE", SECRET, TOKEN)
    assert SECRET not in repr(found) and TOKEN not in repr(found)
    assert sessions.find(started.session_id, now + LIFETIME) is None
    assert Sessions(store, SecretBox(Fernet.generate_key())).find(started.session_id, now) is None
    sessions.end(started.session_id)
    assert sessions.find(started.session_id, now) is None


def test_signing_in_sweeps_expired_sessions(store: Store, box: SecretBox) -> None:
    sessions = Sessions(store, box)
    long_ago = datetime.now(UTC) - timedelta(days=2)
    sessions.create(Credentials("AKIAOLD", SECRET), "arn:aws:iam::1:user/old", "111122223333", long_ago)
    sessions.create(Credentials("AKIANEW", SECRET), "arn:aws:iam::1:user/new", "111122223333", datetime.now(UTC))
    with store.session() as db:
        assert [row.principal_arn for row in db.scalars(select(WebSession))] == ["arn:aws:iam::1:user/new"]


def test_templates_escape_what_the_api_returns() -> None:
    hostile = Node("ou-ab12-abcdefgh", "<script>alert(1)</script>", "ou", ({"Id": "p-1", "Name": "<b>scp</b>"},))
    page = render.html("org_children.html", children=Children("r-ab12", ous=[hostile]))
    body = page.body.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>" not in body
    assert "&lt;b&gt;scp&lt;/b&gt;" in body and "<b>" not in body


def test_every_template_compiles_and_the_script_stays_small() -> None:
    environment = Environment(loader=PackageLoader("baryon.web", "templates"), autoescape=True)
    environment.filters.update(render.FILTERS)
    for name in environment.list_templates():
        environment.get_template(name)
    assert len((WEB / "static" / "dashboard.js").read_text().splitlines()) < 60
    assert (WEB / "static" / "dashboard.css").exists()
