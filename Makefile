# The two commands of the README. Both install what is missing, make sure PostgreSQL
# runs, and are fast the second time. The work is in scripts/.
.PHONY: run test
run:
	@scripts/run.sh
test:
	@scripts/test.sh
