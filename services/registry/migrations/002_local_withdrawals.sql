-- An administrator's withdrawal (withdrawStandard) is a local decision: the RENEC import and sync keep
-- the standard withdrawn even while CONOCER's list still carries it, and say so in their summary.
ALTER TABLE standards ADD COLUMN withdrawn_locally boolean NOT NULL DEFAULT false;
