# 使い方 / usage:
#   make demo   サンプルのマスタブック(workbooks/)で主処理(bcp-xl build)を実行し out/ に出力
#   make test   ruff・mypy・pytest を実行
#   make bench  性能測定(benches/)
#   make templates  templates/src/*.txt から Word テンプレート(templates/*.docx)を作り直す
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
AXE := .cache/axe/node_modules/axe-core/axe.min.js

.PHONY: demo test lint bench sample templates clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# axe-core (accessibility audit of the HTML editions), vendored from the npm registry at install time
$(AXE):
	npm install --prefix .cache/axe --no-audit --no-fund axe-core@4

demo: $(STAMP)
	$(VENV)/bin/bcp-xl build workbooks --out out

lint: $(STAMP)
	$(VENV)/bin/ruff check bcp_xl tests
	$(VENV)/bin/ruff format --check bcp_xl tests
	$(VENV)/bin/mypy bcp_xl

test: lint $(AXE)
	$(PY) -m pytest -q

sample: $(STAMP)
	$(VENV)/bin/bcp-xl sample workbooks --scale meguro --seed 1

templates: $(STAMP)
	$(PY) -m bcp_xl.docgen.builder

bench: $(STAMP)
	$(PY) benches/bench.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
