-- Version 2.
-- An outbox entry the other side refuses for good (a bad request, not an outage) stops being
-- retried: FAILED, with its error, for a person to look at.
ALTER TABLE outbox MODIFY state ENUM('PENDING', 'DELIVERED', 'FAILED') NOT NULL;

-- A store may sell on several marketplaces in one country (Amazon US and eBay US): the policy
-- is per store, marketplace and site. Policies stored before this were Amazon's (the default).
ALTER TABLE return_policies ADD COLUMN marketplace TINYINT NOT NULL DEFAULT 1 AFTER store_id;
ALTER TABLE return_policies DROP PRIMARY KEY, ADD PRIMARY KEY (store_id, marketplace, site);
