"""msgraph-sdk, unpatched, against the https emulator (few tests: the SDK is heavy to import)."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from azure.core.credentials import TokenCredential
from azure.identity import ClientSecretCredential, DeviceCodeCredential

with warnings.catch_warnings():
    # kiota-abstractions warns about its own deprecated class while msgraph imports it.
    warnings.simplefilter("ignore", DeprecationWarning)
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from msgraph import GraphRequestAdapter, GraphServiceClient
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError
    from msgraph.generated.users.users_request_builder import UsersRequestBuilder
    from msgraph.graph_request_adapter import options as graph_options
    from msgraph_core import GraphClientFactory

from .conftest import (
    APP,
    GRAPH_SCOPE,
    NO_ROLES_APP,
    NO_ROLES_SECRET,
    PUBLIC_APP,
    SECRET,
    TENANT,
    USER,
    USER_ID,
    Running,
)

# The generated request builders warn about their own deprecated classes when first used.
pytestmark = [
    pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:GetQueryParameters is deprecated:DeprecationWarning"),
]


@asynccontextmanager
async def graph_client(
    emulator: Running, credential: TokenCredential
) -> AsyncIterator[GraphServiceClient]:
    """Yield a Graph client for the emulator: the SDK's own base URL and allowed-host switches."""
    auth = AzureIdentityAuthenticationProvider(
        credential, scopes=[GRAPH_SCOPE], allowed_hosts=["127.0.0.1"]
    )
    # The SDK's own client, as GraphRequestAdapter builds it (its options turn the
    # /users/me-token-to-replace of `client.me` into /me), created here to be closed here.
    # The transport is ours to close: the SDK's middleware transport does not close it.
    transport = httpx.AsyncHTTPTransport()
    http = GraphClientFactory.create_with_default_middleware(
        client=httpx.AsyncClient(transport=transport), options=graph_options
    )
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = f"{emulator.url}/v1.0"
    try:
        yield GraphServiceClient(request_adapter=adapter)
    finally:
        await http.aclose()
        await transport.aclose()


def _app(emulator: Running, app: str = APP, secret: str = SECRET) -> TokenCredential:
    return ClientSecretCredential(
        TENANT, app, secret, authority=emulator.url, disable_instance_discovery=True
    )


def test_users_paging_by_upn_and_permission_denied(sdk_env: Running) -> None:
    async def scenario() -> None:
        async with graph_client(sdk_env, _app(sdk_env)) as client:
            await _users(client)
        async with graph_client(sdk_env, _app(sdk_env, NO_ROLES_APP, NO_ROLES_SECRET)) as denied:
            with pytest.raises(ODataError) as caught:
                await denied.users.get()
        assert caught.value.response_status_code == 403
        assert caught.value.error is not None
        assert caught.value.error.code == "Authorization_RequestDenied"

    async def _users(client: GraphServiceClient) -> None:
        query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            top=3, select=["id", "displayName", "userPrincipalName"]
        )
        page = await client.users.get(RequestConfiguration(query_parameters=query))
        assert page is not None and page.value is not None
        names = [u.display_name for u in page.value]
        pages = 1
        while page.odata_next_link:
            assert page.odata_next_link.startswith(f"{sdk_env.url}/v1.0/users?")
            page = await client.users.with_url(page.odata_next_link).get()
            assert page is not None and page.value is not None
            names += [u.display_name for u in page.value]
            pages += 1
        assert pages == 3 and len(names) == 7 and names[0] == "Adele Vance"
        # The SDK percent-encodes the '@' of a UPN in the path.
        adele = await client.users.by_user_id(USER).get()
        assert adele is not None and adele.id == USER_ID and adele.job_title == "Retail Manager"

    asyncio.run(scenario())


def test_me_with_a_device_code_sign_in(sdk_env: Running) -> None:
    credential = DeviceCodeCredential(
        client_id=PUBLIC_APP,
        tenant_id=TENANT,
        authority=sdk_env.url,
        disable_instance_discovery=True,
        prompt_callback=lambda uri, code, expires: None,
    )

    async def scenario() -> None:
        async with graph_client(sdk_env, credential) as client:
            me = await client.me.get()
        assert me is not None and me.user_principal_name == USER and me.id == USER_ID

    asyncio.run(scenario())
