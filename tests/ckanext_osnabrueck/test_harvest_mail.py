"""Status mails on harvest failures, received by a real SMTP server (aiosmtpd) on loopback:
a source that is down, a stuck job, and the object errors ckanext-harvest reports itself."""
import datetime
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestJob
from ckanext.osnabrueck import harvest_mail

from harvesters.lib import harvest_source, run
from harvesters.ogc.test_harvester import CONFIG

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, str(message["Subject"]), message.get_content()))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox(app, ckan_config, monkeypatch):
    """A real SMTP server on loopback; status mails switched on (test.ini has them off).
    The harvest runs inside a request, as in the scheduler: the mail is a rendered template."""
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{controller.port}")
    monkeypatch.setitem(ckan_config, "ckan.harvest.status_mail.errored", True)
    with app.flask_app.test_request_context():
        yield box
    controller.stop()


@pytest.fixture
def stewards(with_plugins, clean_db):
    admin = factories.User(email="leitung@osnabrueck.example")
    factories.Sysadmin(email="portal@osnabrueck.example")
    factories.Organization(name="geodaten", title="Fachbereich Geodaten",
                           users=[{"name": admin["name"], "capacity": "admin"}])


def _source(url):
    return harvest_source("gis", url, "osnabrueck_ogc", ("geodaten", "Fachbereich Geodaten"), CONFIG)


@pytest.mark.usefixtures("stewards")
def test_a_source_that_is_down_is_mailed_to_sysadmins_and_the_organisations_admins(inbox):
    job, _ = run(_source("http://127.0.0.1:9/ows"))
    assert job["status"] == "Finished"
    recipients = sorted(to for tos, _, _ in inbox.messages for to in tos)
    assert recipients == ["leitung@osnabrueck.example", "portal@osnabrueck.example"]
    _, subject, body = inbox.messages[0]
    assert subject == "Open Data Osnabrück - Harvesting Job - Error Notification"
    assert job["id"] in body and "nicht erreichbar" in body
    assert "Harvest-Quelle: gis" in body and "Fehler des Jobs (1)" in body


@pytest.mark.usefixtures("stewards")
def test_a_stuck_job_is_given_up_and_mailed(inbox, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckan.harvest.timeout", "60")
    source = _source("http://127.0.0.1:9/ows")
    job = HarvestJob(source_id=source["id"], status="Running",
                     created=datetime.datetime.utcnow() - datetime.timedelta(hours=2))
    job.save()
    call_action("harvest_jobs_run", {"ignore_auth": True})
    assert call_action("harvest_job_show", id=job.id)["status"] == "Finished"
    bodies = [body for _, _, body in inbox.messages]
    assert len(bodies) == 2 and all(f"Job {job.id} timeout" in body for body in bodies)


@pytest.mark.usefixtures("stewards")
def test_without_status_mails_nothing_is_sent(inbox, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckan.harvest.status_mail.errored", False)
    run(_source("http://127.0.0.1:9/ows"))
    assert inbox.messages == []


def test_a_successful_or_object_error_job_is_left_to_ckanext_harvest():
    assert not harvest_mail.needs_mail("j", "Finished", [], 0)
    # Object errors: ckanext-harvest mails those itself; a second mail would be noise.
    assert not harvest_mail.needs_mail("j", "Finished", ["Layer x: kein Thema"], 2)
    assert not harvest_mail.needs_mail("j", "Running", ["Dienst nicht erreichbar"], 0)
    assert harvest_mail.needs_mail("j", "Finished", ["Dienst nicht erreichbar"], 0)
    assert harvest_mail.needs_mail("j", "Finished", ["Job j timeout (60 minutes)\n"], 3)
