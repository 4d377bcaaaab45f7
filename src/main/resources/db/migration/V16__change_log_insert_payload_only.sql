-- Who may write to the change log: every role may append a payload (the change triggers run as
-- whoever changes a cache_entry row, so every role that may change one must be able to), and
-- nothing else. V15 granted INSERT on the whole row, the xid too: a row given an xid that no
-- transaction has reached yet would be read by every poll of every replica, as a change still
-- to commit, and deleted by no prune until the server's transaction counter passed it; with the
-- payload {"all":true}, any role of the database could keep every near cache empty. With the
-- column privilege alone, the xid is always its default, the inserting transaction's.
-- The table's owner (the role that migrates) keeps every privilege.
REVOKE INSERT ON cache_change_log FROM PUBLIC;
GRANT INSERT (payload) ON cache_change_log TO PUBLIC;
