-- name: insert_blob
INSERT INTO blobs (sha256, data, size_bytes) VALUES (%(sha256)s, %(data)s, %(size)s)
ON CONFLICT (sha256) DO NOTHING;

-- name: get_blob
SELECT data FROM blobs WHERE sha256 = %(sha256)s;
