-- feed_catchup: one page of GET /api/v1/changes?limit=1000 for a reviewer, from a random position
-- (bench_feed_pos holds every 1000th (txid, seq), made by run.sh), plus the service's has_more probe.
-- Run with one client: catch-up time ~= pages / tps. Variables: org, npos.
\set n random(1, :npos)
SELECT txid AS t, seq AS s FROM bench_feed_pos WHERE n = :n \gset
SELECT seq, txid, contribution_id, version, event, organisation_id, status_before, status_after, snapshot, at
FROM changes
WHERE (txid, seq) > (:t, :s)
  AND changes.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
  AND ((((organisation_id = :org OR status_after = 'published') OR status_before = 'published')
        OR status_after <> 'draft') OR status_before <> 'draft')
ORDER BY txid ASC, seq ASC LIMIT 1000;
SELECT seq, txid, contribution_id, version, event, organisation_id, status_before, status_after, snapshot, at
FROM changes
WHERE (txid, seq) > (:t, :s)
  AND changes.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
  AND ((((organisation_id = :org OR status_after = 'published') OR status_before = 'published')
        OR status_after <> 'draft') OR status_before <> 'draft')
ORDER BY txid ASC, seq ASC LIMIT 1;
