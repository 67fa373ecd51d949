-- name: insert_letter
INSERT INTO letters (id, unit_id, kind, subject, recipient, template, template_sha256, body, created_by)
VALUES (%(id)s, %(unit_id)s, %(kind)s, %(subject)s, %(recipient)s, %(template)s, %(template_sha256)s, %(body)s,
        %(created_by)s)
RETURNING id, unit_id, kind, subject, recipient, template, template_sha256, body, created_by, created_at;

-- name: get_letter
SELECT id, unit_id, kind, subject, recipient, template, template_sha256, body, created_by, created_at
FROM letters WHERE id = %(id)s;

-- name: letters_of
SELECT id, unit_id, kind, subject, recipient, template, template_sha256, created_by, created_at
FROM letters WHERE subject = %(subject)s ORDER BY created_at;
