-- A notification that could not be sent because no channel (SMTP, webhook) is configured is not a
-- delivery failure: it is recorded as 'no_channel', so the dashboard and the periodic task's line say
-- what to configure instead of counting a failure on every run.
ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'no_channel'));
