-- name: insert
-- Creates an account holder with its controller details.
INSERT INTO accounts (organisation, contact_name, postal_address, contact_email, website,
                      privacy_contact, email_verified_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id;

-- name: find
-- One account and its controller details.
SELECT id, organisation, contact_name, postal_address, contact_email, website, privacy_contact,
       email_verified_at, created_at
FROM accounts WHERE id = $1;

-- name: update_details
-- Replaces the controller details of one account.
UPDATE accounts SET organisation = $2, contact_name = $3, postal_address = $4,
                    contact_email = $5, website = $6, privacy_contact = $7
WHERE id = $1;

-- name: mark_verified
-- Records that the account's contact email was confirmed (the first time only).
UPDATE accounts SET email_verified_at = $2 WHERE id = $1 AND email_verified_at IS NULL;
