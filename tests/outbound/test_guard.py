"""The guard at the socket: every form of an internal address is refused before a
connection is opened, and a connection goes to the address that was checked."""

from __future__ import annotations

import ssl

import httpx
import pytest
import urllib3

from app.outbound import OutboundRefused
from app.outbound.policy import AllowList, Guard, guard_from
from app.outbound.transports import GuardedTransport, guard_pool_manager, guarded_client
from tests.outbound.conftest import SECRET, FakeDns, Server
from tests.support.docusign_emulator import DocuSignEmulator

ATTACKS = [
    ("169.254.169.254", "cloud metadata"),
    ("[fd00:ec2::254]", "cloud metadata"),
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("192.168.1.1", "private"),
    ("[fc00::1]", "private"),
    ("[::1]", "loopback"),
    ("localhost", "loopback"),
    ("127.0.0.2", "loopback"),
    ("2130706433", "loopback"),  # 127.0.0.1 written as one decimal number
    ("0177.0.0.1", "loopback"),  # ... in octal
    ("0x7f.1", "loopback"),  # ... in hex, short form
    ("[::ffff:127.0.0.2]", "IPv6 form of 127.0.0.2"),
    ("[64:ff9b::a00:1]", "IPv6 form of 10.0.0.1"),  # NAT64
    ("0.0.0.0", "unspecified"),
    ("[::]", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("169.254.1.1", "link-local"),
    ("100.64.0.1", "not a public address"),
    ("240.0.0.1", "reserved"),
]


@pytest.mark.parametrize(("host", "why"), ATTACKS)
def test_every_form_of_an_internal_address_is_refused(host: str, why: str) -> None:
    with pytest.raises(OutboundRefused) as refused:
        guard_from("").addresses(host, 80)
    assert why in refused.value.reason


@pytest.mark.parametrize(
    "host", ["127.0.0.2", "2130706433", "0x7f000002", "[::ffff:127.0.0.2]", "localhost"]
)
def test_a_post_to_an_internal_address_never_connects(host: str, internal_service: Server) -> None:
    """(httpx itself turns down some spellings, such as 0177.0.0.1, as invalid URLs.)"""
    with (
        guarded_client(guard_from(""), timeout=2) as client,
        pytest.raises(OutboundRefused, match="loopback"),
    ):
        client.post(f"http://{host}:{internal_service.port}/hook", content=b"{}")
    assert internal_service.hits == []


def test_a_name_that_resolves_inward_is_refused(
    fake_dns: FakeDns, internal_service: Server
) -> None:
    fake_dns.answers["erp.attacker.test"] = ["127.0.0.2"]
    with (
        guarded_client(guard_from(""), timeout=2) as client,
        pytest.raises(OutboundRefused) as refused,
    ):
        client.post(f"http://erp.attacker.test:{internal_service.port}/", content=b"{}")
    assert refused.value.reason == "erp.attacker.test (127.0.0.2) is a loopback address"
    assert internal_service.hits == []


def test_a_name_with_one_inward_answer_among_public_ones_is_refused() -> None:
    guard = guard_from("", resolver=lambda host, port: ["93.184.215.14", "10.1.2.3"])
    with pytest.raises(OutboundRefused, match=r"10\.1\.2\.3"):
        guard.addresses("erp.example.org", 443)


def test_rebinding_reaches_only_the_address_that_was_checked(
    fake_dns: FakeDns, receiver: Server, twin: Server
) -> None:
    """The name resolves to the allowed receiver, and on any later lookup to an internal
    service at the same port: the guard resolves once, checks that answer and connects to
    it, so no second lookup can swap the address; the request still names the host."""
    fake_dns.answers["rebind.attacker.test"] = ["127.0.0.1", "127.0.0.2"]
    with guarded_client(guard_from("127.0.0.1/32"), timeout=2) as client:
        answer = client.post(f"http://rebind.attacker.test:{receiver.port}/hook", content=b"{}")
    assert answer.status_code == 200
    assert fake_dns.lookups == ["rebind.attacker.test"]
    assert receiver.hits == [f"POST rebind.attacker.test:{receiver.port} /hook"]
    assert twin.hits == []


def test_a_rebound_answer_is_checked_again_on_the_next_connection(
    fake_dns: FakeDns, internal_service: Server
) -> None:
    fake_dns.answers["rebind.attacker.test"] = ["127.0.0.1", "127.0.0.2"]
    guard = guard_from("127.0.0.1/32")
    assert [str(a) for a in guard.addresses("rebind.attacker.test", 80)] == ["127.0.0.1"]
    with guarded_client(guard, timeout=2) as client, pytest.raises(OutboundRefused):
        client.post(f"http://rebind.attacker.test:{internal_service.port}/", content=b"{}")
    assert internal_service.hits == []


def test_a_redirect_is_an_answer_not_a_hop(receiver: Server, internal_service: Server) -> None:
    receiver.status, receiver.location = 307, f"{internal_service.url}/latest/meta-data/"
    with guarded_client(guard_from("127.0.0.1/32"), timeout=2) as client:
        answer = client.post(f"{receiver.url}/hook", content=b"{}")
    assert answer.status_code == 307
    assert internal_service.hits == []


def test_the_allow_list_lets_named_networks_and_hosts_through(internal_service: Server) -> None:
    for allow in ("127.0.0.0/8", "127.0.0.2", "localhost, 127.0.0.2/32"):
        with guarded_client(guard_from(allow), timeout=2) as client:
            assert client.get(f"{internal_service.url}/").text == SECRET
    assert len(internal_service.hits) == 3


def test_cloud_metadata_stays_refused_whatever_the_allow_list_says() -> None:
    guard = guard_from("0.0.0.0/0, ::/0, 169.254.169.254, metadata.internal")
    for host in ("169.254.169.254", "[fd00:ec2::254]", "[::ffff:169.254.169.254]"):
        with pytest.raises(OutboundRefused, match="cloud metadata"):
            guard.addresses(host, 80)
    resolving = guard_from("metadata.internal", resolver=lambda h, p: ["169.254.169.254"])
    with pytest.raises(OutboundRefused, match="cloud metadata"):
        resolving.addresses("metadata.internal", 80)


def test_an_allow_list_entry_that_is_neither_network_nor_name_is_refused() -> None:
    with pytest.raises(ValueError, match="neither a network nor a host name"):
        AllowList.parse("10.0.0.0/8, http://erp/")


@pytest.mark.parametrize(
    ("url", "allow", "why"),
    [
        ("http://erp.example.org/hooks", "", "plain http"),
        ("ftp://erp.example.org/hooks", "", "only http and https"),
        ("https://10.0.0.1/hooks", "", "private"),
        ("http://127.0.0.1:8080/hooks", "", "loopback"),
    ],
)
def test_a_url_to_send_to_is_https_unless_the_allow_list_names_its_host(
    url: str, allow: str, why: str
) -> None:
    with pytest.raises(OutboundRefused, match=why):
        guard_from(allow).check_url(url)


def test_plain_http_is_for_allowed_local_receivers_and_https_for_the_rest() -> None:
    guard_from("127.0.0.1/32").check_url("http://127.0.0.1:8080/hooks")
    guard_from("erp.internal", resolver=lambda h, p: ["10.0.0.7"]).check_url(
        "http://erp.internal/hooks"
    )
    guard_from("").check_url("https://does-not-resolve.invalid/hooks")  # may resolve later


def test_the_docusign_sdk_connections_pass_the_guard(internal_service: Server) -> None:
    manager = guard_pool_manager(urllib3.PoolManager(), guard_from(""))
    with pytest.raises(urllib3.exceptions.HTTPError, match=r"refused: 127\.0\.0\.2 is a loopback"):
        manager.request("GET", f"{internal_service.url}/", retries=False)
    assert internal_service.hits == []
    allowed = guard_pool_manager(urllib3.PoolManager(), guard_from("127.0.0.2"))
    assert allowed.request("GET", f"{internal_service.url}/").data.decode() == SECRET


def test_unreachable_still_reads_as_a_connection_error() -> None:
    with (
        guarded_client(guard_from("127.0.0.1/32"), timeout=2) as client,
        pytest.raises(httpx.ConnectError),
    ):
        client.post("http://127.0.0.1:9/", content=b"{}")


def test_tls_still_names_the_host_over_the_pinned_connection(
    docusign: DocuSignEmulator, fake_dns: FakeDns
) -> None:
    """The certificate is checked against the host name, not the pinned address: the
    emulator's certificate names localhost, so a name merely pointing there fails."""
    context = ssl.create_default_context(cafile=str(docusign.ca.ca_file))
    with guarded_client_verifying(guard_from("127.0.0.1/32"), context) as client:
        answer = client.post(f"https://localhost:{docusign.port}/oauth/token")
        assert answer.status_code == 400 and answer.json()["error"] == "unsupported_grant_type"
        fake_dns.answers["impostor.test"] = ["127.0.0.1"]
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            client.post(f"https://impostor.test:{docusign.port}/oauth/token")


def guarded_client_verifying(guard: Guard, context: ssl.SSLContext) -> httpx.Client:
    return httpx.Client(transport=GuardedTransport(guard, verify=context), timeout=5)
