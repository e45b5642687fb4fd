-- tests/report/fixture.sql - a small service desk, December 2025 to April
-- 2026, for tests/report/report.test.  Loaded into a fresh `deskmail init`
-- database whose [sla] timezone is America/New_York (EST = UTC-5 until
-- 2026-03-08, then EDT = UTC-4).  All times below are UTC; the comments
-- give the local (New York) time where it decides a period.
--
-- Twelve tickets.  Ten are closed (T1-T9, T12); T10 is resolved, T11 open.
--   T1  FCR: accepted, one reply, one customer message     closed 2025-12-10
--   T2  FCR: auto-closed, no reply                          closed 2026-01-21
--   T3  not FCR (a): closed by staff, not accepted          closed 2026-01-20
--   T4  not FCR (b): reopened ("resolved -> reopened")      closed 2026-02-10
--   T5  not FCR (c): warm transfer                          closed 2026-02-12
--   T6  not FCR (d): two staff replies                      closed 2026-02-20
--   T7  not FCR (e): two customer messages                  closed 2026-03-05
--   T8  FCR, closed 2026-03-31 23:30 EDT = 2026-04-01 03:30 UTC: March and
--       Q1 in New York, April and Q2 in UTC
--   T9  FCR                                                 closed 2026-04-02
--   T12 FCR, uncategorised (not billed)                     closed 2026-02-25
-- Each ticket's events and messages tell the same story as its row.

-- strftime('%s', 'YYYY-MM-DD HH:MM') + 0 is that UTC time in unix seconds.

INSERT INTO tickets (id, status, severity, team, assignee, category, agency,
  owner, requester, requester_name, subject, created, updated, resolved_at,
  closed_at, sla_policy) VALUES
 (1, 'closed', 3, 'servicedesk', 'tech1@example.org', 'security', 'dept-a',
  NULL, 'ann@a.example.gov', 'Ann', 'Password expired',
  strftime('%s', '2025-12-09 15:00') + 0, strftime('%s', '2025-12-10 14:00') + 0,
  strftime('%s', '2025-12-09 15:30') + 0, strftime('%s', '2025-12-10 14:00') + 0,
  'ny-ccc'),
 (2, 'closed', 3, 'servicedesk', 'tech1@example.org', 'security', 'dept-a',
  'dept-it', 'bob@a.example.gov', 'Bob', 'Locked out of mail',
  strftime('%s', '2026-01-14 14:00') + 0, strftime('%s', '2026-01-21 17:00') + 0,
  strftime('%s', '2026-01-14 16:00') + 0, strftime('%s', '2026-01-21 17:00') + 0,
  'colorado'),
 (3, 'closed', 2, 'field', 'tech2@example.org', 'hardware', 'dept-b',
  'dept-fleet', 'cy@b.example.gov', 'Cy', 'Laptop screen broken',
  strftime('%s', '2026-01-18 13:00') + 0, strftime('%s', '2026-01-20 15:00') + 0,
  strftime('%s', '2026-01-19 19:00') + 0, strftime('%s', '2026-01-20 15:00') + 0,
  'ny-ccc'),
 (4, 'closed', 3, 'field', 'tech2@example.org', 'hardware', 'dept-b', NULL,
  'di@b.example.gov', 'Di', 'Printer jams',
  strftime('%s', '2026-02-02 14:00') + 0, strftime('%s', '2026-02-10 15:00') + 0,
  strftime('%s', '2026-02-06 18:00') + 0, strftime('%s', '2026-02-10 15:00') + 0,
  'ny-ccc'),
 (5, 'closed', 1, 'servicedesk', 'tech1@example.org', 'application', 'dept-c',
  'dept-it', 'ed@c.example.gov', 'Ed', 'Payroll app <b>down</b>, "slow" & stuck',
  strftime('%s', '2026-02-11 14:00') + 0, strftime('%s', '2026-02-12 15:00') + 0,
  strftime('%s', '2026-02-11 20:00') + 0, strftime('%s', '2026-02-12 15:00') + 0,
  'ny-ccc'),
 (6, 'closed', 1, 'servicedesk', 'tech1@example.org', 'desktop', 'dept-a',
  'dept-x', 'fay@a.example.gov', 'Fay', 'Office crashes',
  strftime('%s', '2026-02-19 13:00') + 0, strftime('%s', '2026-02-20 15:00') + 0,
  strftime('%s', '2026-02-19 23:00') + 0, strftime('%s', '2026-02-20 15:00') + 0,
  'ny-ccc'),
 (7, 'closed', 3, 'servicedesk', 'tech1@example.org', 'security', 'dept-d',
  'dept-it', 'gus@d.example.gov', 'Gus', 'Reset my password',
  strftime('%s', '2026-03-04 14:00') + 0, strftime('%s', '2026-03-05 15:00') + 0,
  strftime('%s', '2026-03-04 15:00') + 0, strftime('%s', '2026-03-05 15:00') + 0,
  'colorado'),
 (8, 'closed', 3, 'field', 'tech2@example.org', 'security', 'dept-d',
  'dept-it', 'hal@d.example.gov', 'Hal', 'Token lost',
  strftime('%s', '2026-03-31 22:00') + 0, strftime('%s', '2026-04-01 03:30') + 0,
  strftime('%s', '2026-04-01 01:30') + 0, strftime('%s', '2026-04-01 03:30') + 0,
  'ny-ccc'),
 (9, 'closed', 3, 'servicedesk', 'tech1@example.org', 'desktop', NULL, NULL,
  'ivy@unknown.example', 'Ivy', 'Drucker kaputt – Büro 3',
  strftime('%s', '2026-03-20 13:00') + 0, strftime('%s', '2026-04-02 14:00') + 0,
  strftime('%s', '2026-03-28 21:00') + 0, strftime('%s', '2026-04-02 14:00') + 0,
  'colorado'),
 (10, 'resolved', 3, 'field', 'tech2@example.org', 'desktop', 'dept-a', NULL,
  'jo@a.example.gov', 'Jo', 'Second monitor',
  strftime('%s', '2026-04-06 13:00') + 0, strftime('%s', '2026-04-06 17:30') + 0,
  strftime('%s', '2026-04-06 17:30') + 0, NULL, 'ny-ccc'),
 (11, 'in_progress', 2, 'servicedesk', 'tech1@example.org', 'application',
  'dept-c', NULL, 'kim@c.example.gov', 'Kim', 'Portal slow',
  strftime('%s', '2026-04-07 13:00') + 0, strftime('%s', '2026-04-07 13:05') + 0,
  NULL, NULL, 'ny-ccc'),
 (12, 'closed', 3, 'servicedesk', 'tech1@example.org', NULL, 'dept-a', NULL,
  'lu@a.example.gov', 'Lu', 'Question',
  strftime('%s', '2026-02-24 14:00') + 0, strftime('%s', '2026-02-25 15:00') + 0,
  strftime('%s', '2026-02-24 14:15') + 0, strftime('%s', '2026-02-25 15:00') + 0,
  'ny-ccc');

-- every ticket opens with the requester's mail and a 'created' event
INSERT INTO messages (ticket_id, kind, message_id, sha256, from_addr, subject,
  received, body, new_text, raw)
SELECT id, 'customer', '<t' || id || '@example.gov>', 'c' || id, requester,
  subject, created, 'Help', 'Help', X'00' FROM tickets;
INSERT INTO events (ticket_id, at, actor, type, detail)
SELECT id, created, requester, 'created', 'by mail' FROM tickets;
-- T7's requester wrote again before it was resolved (condition e)
INSERT INTO messages (ticket_id, kind, sha256, from_addr, subject, received,
  body, new_text, raw) VALUES
 (7, 'customer', 'c7b', 'gus@d.example.gov', 'Re: Reset my password',
  strftime('%s', '2026-03-04 14:30') + 0, 'Urgent', 'Urgent', X'00'),
-- messages that are not the customer's do not count against FCR
 (2, 'note', 'n2', 'tech1@example.org', 'note',
  strftime('%s', '2026-01-14 15:00') + 0, 'internal', 'internal', X'00'),
 (12, 'auto', 'a12', 'lu@a.example.gov', 'Out of office',
  strftime('%s', '2026-02-24 14:20') + 0, 'away', 'away', X'00');

INSERT INTO events (ticket_id, at, actor, type, detail) VALUES
 -- T1: one reply, resolved, accepted
 (1, strftime('%s', '2025-12-09 15:10') + 0, 'tech1@example.org', 'status', 'new -> in_progress'),
 (1, strftime('%s', '2025-12-09 15:20') + 0, 'tech1@example.org', 'reply', 'public reply relayed to the requester'),
 (1, strftime('%s', '2025-12-09 15:30') + 0, 'tech1@example.org', 'status', 'in_progress -> resolved'),
 (1, strftime('%s', '2025-12-10 14:00') + 0, 'ann@a.example.gov', 'accepted', 'the requester accepted the resolution'),
 (1, strftime('%s', '2025-12-10 14:00') + 0, 'ann@a.example.gov', 'status', 'resolved -> closed'),
 (1, strftime('%s', '2025-12-11 14:00') + 0, 'ann@a.example.gov', 'survey', 'rating 5 of 5'),
 -- T2: resolved at once, auto-closed
 (2, strftime('%s', '2026-01-14 16:00') + 0, 'tech1@example.org', 'status', 'new -> resolved'),
 (2, strftime('%s', '2026-01-21 17:00') + 0, 'deskmail', 'auto_closed', 'no answer to the resolution in time'),
 (2, strftime('%s', '2026-01-21 17:00') + 0, 'deskmail', 'status', 'resolved -> closed'),
 (2, strftime('%s', '2026-01-22 15:00') + 0, 'bob@a.example.gov', 'survey', 'rating 4 of 5'),
 -- T3: one reply, resolved, closed by staff (a)
 (3, strftime('%s', '2026-01-18 14:00') + 0, 'tech2@example.org', 'reply', 'public reply relayed to the requester'),
 (3, strftime('%s', '2026-01-19 19:00') + 0, 'tech2@example.org', 'status', 'in_progress -> resolved'),
 (3, strftime('%s', '2026-01-20 15:00') + 0, 'cli:admin', 'status', 'resolved -> closed'),
 -- T4: resolved, not fixed, resolved again, accepted (b)
 (4, strftime('%s', '2026-02-02 17:00') + 0, 'tech2@example.org', 'status', 'in_progress -> resolved'),
 (4, strftime('%s', '2026-02-03 14:00') + 0, 'di@b.example.gov', 'not_fixed', 'the requester says it is not fixed'),
 (4, strftime('%s', '2026-02-03 14:00') + 0, 'di@b.example.gov', 'status', 'resolved -> reopened'),
 (4, strftime('%s', '2026-02-03 14:05') + 0, 'tech2@example.org', 'status', 'reopened -> in_progress'),
 (4, strftime('%s', '2026-02-06 18:00') + 0, 'tech2@example.org', 'status', 'in_progress -> resolved'),
 (4, strftime('%s', '2026-02-10 15:00') + 0, 'di@b.example.gov', 'accepted', 'the requester accepted the resolution'),
 (4, strftime('%s', '2026-02-10 15:00') + 0, 'di@b.example.gov', 'status', 'resolved -> closed'),
 (4, strftime('%s', '2026-02-11 15:00') + 0, 'di@b.example.gov', 'survey', 'rating 2 of 5'),
 -- T5: warm transfer (c)
 (5, strftime('%s', '2026-02-11 15:00') + 0, 'tech2@example.org', 'transfer', 'warm transfer from field to servicedesk'),
 (5, strftime('%s', '2026-02-11 20:00') + 0, 'tech1@example.org', 'status', 'in_progress -> resolved'),
 (5, strftime('%s', '2026-02-12 15:00') + 0, 'ed@c.example.gov', 'accepted', 'the requester accepted the resolution'),
 (5, strftime('%s', '2026-02-12 15:00') + 0, 'ed@c.example.gov', 'status', 'resolved -> closed'),
 (5, strftime('%s', '2026-02-13 15:00') + 0, 'ed@c.example.gov', 'survey', 'rating 2 of 5'),
 -- T6: two replies (d)
 (6, strftime('%s', '2026-02-19 14:00') + 0, 'tech1@example.org', 'reply', 'public reply relayed to the requester'),
 (6, strftime('%s', '2026-02-19 17:00') + 0, 'tech1@example.org', 'reply', 'public reply relayed to the requester'),
 (6, strftime('%s', '2026-02-19 23:00') + 0, 'tech1@example.org', 'status', 'in_progress -> resolved'),
 (6, strftime('%s', '2026-02-20 15:00') + 0, 'fay@a.example.gov', 'accepted', 'the requester accepted the resolution'),
 (6, strftime('%s', '2026-02-20 15:00') + 0, 'fay@a.example.gov', 'status', 'resolved -> closed'),
 (6, strftime('%s', '2026-02-21 15:00') + 0, 'fay@a.example.gov', 'survey', 'rating 1 of 5'),
 -- T7: the second customer message is above (e)
 (7, strftime('%s', '2026-03-04 14:30') + 0, 'gus@d.example.gov', 'message', 'reply from the requester'),
 (7, strftime('%s', '2026-03-04 15:00') + 0, 'tech1@example.org', 'status', 'in_progress -> resolved'),
 (7, strftime('%s', '2026-03-05 15:00') + 0, 'gus@d.example.gov', 'accepted', 'the requester accepted the resolution'),
 (7, strftime('%s', '2026-03-05 15:00') + 0, 'gus@d.example.gov', 'status', 'resolved -> closed'),
 (7, strftime('%s', '2026-03-06 15:00') + 0, 'gus@d.example.gov', 'survey', 'rating 4 of 5'),
 -- T8: one reply; accepted 23:30 EDT on March 31
 (8, strftime('%s', '2026-03-31 23:00') + 0, 'tech2@example.org', 'reply', 'public reply relayed to the requester'),
 (8, strftime('%s', '2026-04-01 01:30') + 0, 'tech2@example.org', 'status', 'in_progress -> resolved'),
 (8, strftime('%s', '2026-04-01 03:30') + 0, 'hal@d.example.gov', 'accepted', 'the requester accepted the resolution'),
 (8, strftime('%s', '2026-04-01 03:30') + 0, 'hal@d.example.gov', 'status', 'resolved -> closed'),
 (8, strftime('%s', '2026-04-01 03:50') + 0, 'hal@d.example.gov', 'survey', 'rating 5 of 5'),
 -- T9: one reply, resolved after 200 hours
 (9, strftime('%s', '2026-03-20 14:00') + 0, 'tech1@example.org', 'reply', 'public reply relayed to the requester'),
 (9, strftime('%s', '2026-03-28 21:00') + 0, 'tech1@example.org', 'status', 'in_progress -> resolved'),
 (9, strftime('%s', '2026-04-02 14:00') + 0, 'ivy@unknown.example', 'accepted', 'the requester accepted the resolution'),
 (9, strftime('%s', '2026-04-02 14:00') + 0, 'ivy@unknown.example', 'status', 'resolved -> closed'),
 (9, strftime('%s', '2026-04-03 14:00') + 0, 'ivy@unknown.example', 'survey', 'rating 5 of 5'),
 -- T10: resolved, not closed; T11: open
 (10, strftime('%s', '2026-04-06 17:30') + 0, 'tech2@example.org', 'status', 'in_progress -> resolved'),
 (11, strftime('%s', '2026-04-07 13:05') + 0, 'tech1@example.org', 'status', 'new -> in_progress'),
 -- T12: resolved at once, accepted, survey not answered
 (12, strftime('%s', '2026-02-24 14:15') + 0, 'tech1@example.org', 'status', 'new -> resolved'),
 (12, strftime('%s', '2026-02-25 15:00') + 0, 'lu@a.example.gov', 'accepted', 'the requester accepted the resolution'),
 (12, strftime('%s', '2026-02-25 15:00') + 0, 'lu@a.example.gov', 'status', 'resolved -> closed');

-- the survey mails: sent at closing (T3's is still queued: not counted)
INSERT INTO outbox (ticket_id, template, recipient, message_id, status,
  created, next_attempt, sent_at)
SELECT id, 'survey', requester, '<survey' || id || '@example.org>', 'sent',
  closed_at, closed_at, closed_at FROM tickets WHERE id IN (1, 2, 4, 5, 6, 7, 9, 12);
INSERT INTO outbox (ticket_id, template, recipient, message_id, status,
  created, next_attempt, sent_at) VALUES
 -- T8's survey went out at 23:35 EDT on March 31
 (8, 'survey', 'hal@d.example.gov', '<survey8@example.org>', 'sent',
  strftime('%s', '2026-04-01 03:35') + 0, strftime('%s', '2026-04-01 03:35') + 0,
  strftime('%s', '2026-04-01 03:35') + 0),
 (3, 'survey', 'cy@b.example.gov', '<survey3@example.org>', 'queued',
  strftime('%s', '2026-01-20 15:00') + 0, strftime('%s', '2026-01-20 15:00') + 0,
  NULL),
 -- other mail is not a survey
 (1, 'resolution', 'ann@a.example.gov', '<res1@example.org>', 'sent',
  strftime('%s', '2025-12-09 15:30') + 0, strftime('%s', '2025-12-09 15:30') + 0,
  strftime('%s', '2025-12-09 15:30') + 0);

-- the answers (T8's at 23:50 EDT on March 31)
INSERT INTO surveys (ticket_id, rating, comment, answered, updated) VALUES
 (1, 5, 'Quick and friendly help, thanks!',
  strftime('%s', '2025-12-11 14:00') + 0, strftime('%s', '2025-12-11 14:00') + 0),
 (2, 4, 'Password reset was quick.',
  strftime('%s', '2026-01-22 15:00') + 0, strftime('%s', '2026-01-22 15:00') + 0),
 (4, 2, 'The printer still jams. Slow response, and the printer jammed again.',
  strftime('%s', '2026-02-11 15:00') + 0, strftime('%s', '2026-02-11 15:00') + 0),
 (5, 2, 'Transferred twice; slow response.',
  strftime('%s', '2026-02-13 15:00') + 0, strftime('%s', '2026-02-13 15:00') + 0),
 (6, 1, 'Slow response – nobody called back',
  strftime('%s', '2026-02-21 15:00') + 0, strftime('%s', '2026-02-21 15:00') + 0),
 (7, 4, 'Password reset worked, thanks',
  strftime('%s', '2026-03-06 15:00') + 0, strftime('%s', '2026-03-06 15:00') + 0),
 (8, 5, 'Quick and friendly!',
  strftime('%s', '2026-04-01 03:50') + 0, strftime('%s', '2026-04-01 03:50') + 0),
 (9, 5, 'Don''t change anything: quick and friendly service at the CAFÉ.',
  strftime('%s', '2026-04-03 14:00') + 0, strftime('%s', '2026-04-03 14:00') + 0);

-- SLA results as the engine records them (met -1: the notice had nobody
-- to go to, neither met nor missed)
INSERT INTO sla_results (ticket_id, policy, severity, target, met, late, at) VALUES
 (3, 'ny-ccc', 2, 'triage', 1, 0, strftime('%s', '2026-01-18 13:10') + 0),
 (3, 'ny-ccc', 2, 'initial', -1, 0, strftime('%s', '2026-01-18 13:10') + 0),
 (3, 'ny-ccc', 2, 'update', 0, 600, strftime('%s', '2026-01-18 14:10') + 0),
 (5, 'ny-ccc', 1, 'triage', 1, 0, strftime('%s', '2026-02-11 14:10') + 0),
 (5, 'ny-ccc', 1, 'ack', 0, 3900, strftime('%s', '2026-02-11 15:20') + 0),
 (6, 'ny-ccc', 1, 'triage', 1, 0, strftime('%s', '2026-02-19 13:10') + 0),
 (6, 'ny-ccc', 1, 'ack', 1, 0, strftime('%s', '2026-02-19 13:12') + 0),
 (2, 'colorado', 3, 'assign', 1, 0, strftime('%s', '2026-01-14 15:00') + 0),
 (7, 'colorado', 3, 'assign', 1, 0, strftime('%s', '2026-03-04 14:30') + 0),
 (9, 'colorado', 3, 'resolve', 0, 97200, strftime('%s', '2026-03-28 21:00') + 0),
 (11, 'ny-ccc', 2, 'triage', 0, 45, strftime('%s', '2026-04-07 13:15') + 0);

-- the directory: dept-a follows the category rule, dept-c always pays
-- itself, dept-d bills the owner; dept-b is not in the directory
INSERT INTO agencies (name, title, bill_to) VALUES
 ('dept-a', 'Department A', 'category'),
 ('dept-c', 'Department C', 'agency'),
 ('dept-d', 'Department D', 'owner');
