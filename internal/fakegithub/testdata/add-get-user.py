#!/usr/bin/env python3
"""Add GET /user (users/get-authenticated) to the slimmed REST description.

The operation is GitHub's own, from github/rest-api-description
(descriptions/api.github.com/api.github.com.json), with two cuts recorded in
PROVENANCE.md: the 200 response's schema is the slice's simple-user (the
upstream oneOf private-user/public-user with its discriminator and its two
examples are not carried: the fake validates requests, not responses), and
the 401 response `requires_authentication` is added to the components as
upstream defines it. Usage: add-get-user.py api.github.com.slim.json
"""
import json, sys

path = sys.argv[1]
d = json.load(open(path))
d["paths"]["/user"] = {
    "get": {
        "summary": "Get the authenticated user",
        "description": "OAuth app tokens and personal access tokens (classic) need the `read:user` scope, or the broader `user` scope, for this endpoint to return the private user response. The private user response includes additional fields such as `private_gists`, `total_private_repos`, `owned_private_repos`, `disk_usage`, `collaborators`, and `two_factor_authentication`. Tokens without these scopes receive the public user response.\n\nThe private and public user response types are unrelated to the [private profile](https://docs.github.com/account-and-profile/concepts/personal-profile#private-profiles) setting. A token without scopes still authenticates as the token's owner, so values subject to private profile visibility, such as `followers` and `following`, may differ from an unauthenticated response.",
        "tags": ["users"],
        "operationId": "users/get-authenticated",
        "externalDocs": {
            "description": "API method documentation",
            "url": "https://docs.github.com/rest/users/users#get-the-authenticated-user",
        },
        "parameters": [],
        "responses": {
            "200": {
                "description": "Response",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/simple-user"}}},
            },
            "304": {"$ref": "#/components/responses/not_modified"},
            "403": {"$ref": "#/components/responses/forbidden"},
            "401": {"$ref": "#/components/responses/requires_authentication"},
        },
        "x-github": {
            "githubCloudOnly": False,
            "enabledForGitHubApps": False,
            "category": "users",
            "subcategory": "users",
        },
    }
}
resp = d["components"]["responses"]
resp["requires_authentication"] = {
    "description": "Requires authentication",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/basic-error"}}},
}
d["components"]["responses"] = dict(sorted(resp.items()))
json.dump(d, open(path, "w"), indent=1, sort_keys=False)
