-- name: insert_model_version
INSERT INTO model_versions (name, version, registered_by, sha256, artifact, types, meta, admitted_by)
VALUES (%(name)s, %(version)s, %(registered_by)s, %(sha256)s, %(artifact)s, %(types)s, %(meta)s, %(admitted_by)s)
ON CONFLICT (name, version) DO NOTHING
RETURNING name, version, registered_at, registered_by, sha256, types, meta, admitted_by;

-- name: latest_model_head
SELECT name, version, sha256, registered_at
FROM model_versions
WHERE name = %(name)s
ORDER BY registered_at DESC, version DESC
LIMIT 1;

-- name: get_model_version
SELECT name, version, registered_at, registered_by, sha256, artifact, types, meta, admitted_by
FROM model_versions
WHERE name = %(name)s AND version = %(version)s;

-- name: list_model_versions
SELECT name, version, registered_at, registered_by, sha256, types, meta, admitted_by
FROM model_versions
WHERE (%(name)s::text IS NULL OR name = %(name)s)
ORDER BY name, registered_at, version;
