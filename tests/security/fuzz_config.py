"""How the API is fuzzed: volume, reproducibility, phases, and the few narrow exclusions from
schemathesis' default checks, each with its reason. Everything else runs with the defaults: no 5xx,
every status and content type documented, every body as documented, invalid input refused, valid
input accepted, authentication enforced."""

import schemathesis

# Cases per operation and identity in the fuzzing phase (positive and negative); with 112 operations
# and two identities this keeps the test near a minute on SQLite (about 900 cases in all).
MAX_EXAMPLES = 4
SEED = 20260507

# ``positive_data_acceptance`` wants every schema-valid request accepted (2xx, or 401/403/404/409).
# These operations also check what a schema cannot state, so a schema-valid request may get a 400 with
# the reason; the check still runs for every other operation.
ORCID = "an ORCID iD carries a check digit"
CALL = "program, prerequisite call and time zone must exist; amounts from 0.01; it closes after it opens"
DRAFT = "the call and focus areas (slugs) must exist; amounts from 0.01 within the call's limits"
RULES_BEYOND_THE_SCHEMA = {
    "POST /api/v1/auth/token/": "credentials of the right shape can still be wrong",
    "POST /api/v1/applications/": DRAFT,
    "PUT /api/v1/applications/{id}/": DRAFT,
    "PATCH /api/v1/applications/{id}/": DRAFT,
    "POST /api/v1/applications/{id}/team/": ORCID,
    "PATCH /api/v1/applications/{id}/team/{member_id}/": ORCID,
    "POST /api/v1/applications/{id}/exclusions/": ORCID,
    "PATCH /api/v1/applications/{id}/exclusions/{exclusion_id}/": ORCID,
    "POST /api/v1/applications/{id}/attachments/": "the file must be a PDF (read from its bytes)",
    "POST /api/v1/applications/{id}/budget/": "amounts from 0.01, years within the project's duration",
    "PATCH /api/v1/applications/{id}/budget/{line_id}/": "amounts from 0.01, years within the duration",
    "POST /api/v1/conflicts/": "a conflict staff set for a reviewer needs a reason",
    "POST /api/v1/calls/": CALL,
    "PUT /api/v1/calls/{id}/": CALL,
    "PATCH /api/v1/calls/{id}/": CALL,
    "POST /api/v1/calls/{call_pk}/triage/": "either discuss_count or application, not both or neither",
    "POST /api/v1/assignment-runs/{id}/add/": "the reviewer must be eligible (not assigned, lay places kept)",
    "POST /api/v1/assignment-runs/{id}/swap/": "the new reviewer must be eligible for the application",
    "POST /api/v1/assignment-runs/{id}/publish/": "the review due date must lie ahead",
    "POST /api/v1/awards/{id}/decline/": "declining needs a reason (accepting does not)",
    "POST /api/v1/priorities/questions/": "the focus area (a slug) must exist",
    "POST /api/v1/priorities/questions/{id}/edit/": "the focus area (a slug) must exist",
    "POST /api/v1/priorities/questions/{id}/merge/": "into another published question of the same round",
    "POST /api/v1/priorities/rounds/{id}/top-ten/": "the questions and steering group members must exist",
    "POST /api/v1/priorities/rounds/{id}/transition/": "ending a phase early needs a reason",
    "GET /api/v1/portfolio/": "each filter must name an existing call, program, funder, year or focus area",
}

DEFAULT_POSITIVE_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "429"]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            # The same cases on every run (CI included): a failure is reproducible.
            "deterministic": True,
            "database": "none",
            # A failure is reported as found, unshrunk: shrinking could take minutes.
            "no-shrink": True,
            # DRF refuses a NUL character in every text field (400 "Null characters are not allowed."),
            # which the schema cannot say of each string; NULs are sent on purpose in test_nul_*.
            "allow-x00": False,
            # The token is sent by the test (``Authorization: Token …``); no generated credentials.
            "with-security-parameters": False,
        },
        "phases": {
            # The coverage phase enumerates ~5,500 deterministic cases per identity (every boundary of
            # every parameter, undeclared methods, content-type probes): about five minutes here, for
            # a test that must stay near one. What it found (HTML 404 for a malformed id) is pinned
            # by plain tests below the fuzzing in test_api_fuzz.
            "coverage": {"enabled": False},
            # Stateful (link-following) runs need response links the schema does not declare.
            "stateful": {"enabled": False},
        },
        "operations": [
            {
                "include-name": label,
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": [*DEFAULT_POSITIVE_STATUSES, "400"],
                    }
                },
            }
            for label in RULES_BEYOND_THE_SCHEMA
        ],
    }
)
