-- The organization as a clinic sees it: organizations -> service units -> users with roles per unit.
-- These are configuration tables; every change to them is also written to audit_events.
CREATE TABLE organizations (
    id         uuid PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE service_units (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES organizations (id),
    code            text NOT NULL CHECK (code ~ '^[a-z0-9_-]{2,40}$'),
    name            text NOT NULL,
    billing_profile jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, code)
);

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES organizations (id),
    username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_.@-]{2,80}$'),
    display_name  text NOT NULL,
    password_hash text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_roles (
    user_id    uuid NOT NULL REFERENCES users (id),
    unit_id    uuid NOT NULL REFERENCES service_units (id),
    role       text NOT NULL CHECK (role IN ('front_desk', 'referral_coordinator', 'nurse', 'biller',
                                             'practice_manager', 'compliance', 'engineer', 'admin')),
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, unit_id, role)
);
