"""The GraphQL check of scripts/schemathesis.sh.

Schemathesis' own `not_a_server_error` counts every GraphQL `errors` entry as a server error,
including the expected ones (an unknown id is NOT_FOUND, a lifecycle rule is CONFLICT). This
check asks what the service promises instead: no 5xx, a JSON object, every error with an
`extensions.code` (errors are mapped once, in one place; an error without a code escaped that
mapping), and none of them an internal error.
"""

import json

import schemathesis

SERVER_SIDE = {"INTERNAL_SERVER_ERROR", "UNAVAILABLE"}


@schemathesis.check
def graphql_answers_are_sound(ctx, response, case):
    if response.status_code >= 500:
        raise AssertionError(f"server error {response.status_code}")
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        raise AssertionError("the GraphQL answer is not JSON")
    if not isinstance(body, dict):
        raise AssertionError(f"the GraphQL answer is not an object: {body!r}")
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if not isinstance(code, str) or not code:
            raise AssertionError(f"a GraphQL error without extensions.code: {error!r}")
        if code in SERVER_SIDE:
            raise AssertionError(f"a server-side GraphQL error: {error!r}")
    return None
