-- One database per service (docker-compose: run once by the postgres image on first start).
CREATE DATABASE medfund_enrollment;
CREATE DATABASE medfund_billing;
CREATE DATABASE medfund_adjudication;
CREATE DATABASE medfund_ledger;
