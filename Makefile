# 使い方 / usage:
#   make demo   サンプルのマスタブック(workbooks/)で主処理(bcp-xl build)を実行し out/ に出力
#   make test   ruff・mypy・pytest を実行
#   make bench  性能測定(benches/)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench sample clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/bcp-xl build workbooks --out out

lint: $(STAMP)
	$(VENV)/bin/ruff check bcp_xl tests
	$(VENV)/bin/ruff format --check bcp_xl tests
	$(VENV)/bin/mypy bcp_xl

test: lint
	$(PY) -m pytest -q

sample: $(STAMP)
	$(VENV)/bin/bcp-xl sample workbooks --scale meguro --seed 1

bench: $(STAMP)
	$(PY) benches/bench.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
