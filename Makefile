# Open Data Osnabrück: the two commands that matter are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTEST_ARGS ?=

.PHONY: help install services run stop status test reset logs constraints i18n-extract backup restore

help:
	@echo "make run     - install and start everything, load the demo, serve http://127.0.0.1:5000"
	@echo "make test    - run every test against the real services (started as needed)"
	@echo "make stop    - stop the portal and all services"
	@echo "make status  - show what runs where"
	@echo "make reset   - stop and delete all local data (.run/)"
	@echo "make logs    - follow the portal's logs"
	@echo "make backup  - dump both databases and the file storage into .run/backups/<time>/"
	@echo "make restore BACKUP=<dir> [REPLACE=1] - restore a backup, rebuild the search index"

install:
	@bash scripts/install-system.sh
	@bash scripts/setup.sh

services: install
	@bash scripts/services.sh start

run:
	@bash scripts/run.sh

stop:
	@bash scripts/portal.sh stop
	@bash scripts/services.sh stop

status:
	@bash scripts/services.sh status || true
	@bash scripts/portal.sh status || true

test:
	@bash scripts/test.sh $(PYTEST_ARGS)

backup:
	@bash scripts/backup.sh

restore:
	@bash scripts/restore.sh "$(BACKUP)" $(if $(REPLACE),--replace)

reset: stop
	rm -rf .run

logs:
	tail -F .run/log/web.log .run/log/worker.log .run/log/gather.log .run/log/fetch.log .run/log/schedule.log

constraints:
	.venv/bin/pip freeze --all --exclude-editable | grep -v "^pip==\|open-data-osnabrueck" | sort -f > constraints.new
	@echo "review constraints.new, then move it over constraints.txt (keep the header comment)"

I18N := ckanext-osnabrueck/ckanext/osnabrueck/i18n

i18n-extract:
	.venv/bin/pybabel extract -F babel.cfg -o $(I18N)/ckanext-osnabrueck.pot --project=ckanext-osnabrueck --no-wrap --omit-header .
	.venv/bin/pybabel update -i $(I18N)/ckanext-osnabrueck.pot -d $(I18N) -D ckanext-osnabrueck --no-wrap
