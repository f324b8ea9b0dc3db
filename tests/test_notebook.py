"""examples/tour.ipynb, run by a real Jupyter kernel (the interpreter running the tests, so
the gradtutor under test), and its outputs checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
from ipykernel.kernelspec import write_kernel_spec  # noqa: E402
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "tour.ipynb"


def kernel_manager(folder: Path) -> KernelManager:
    """A kernel that runs sys.executable, whatever kernels the machine has installed."""
    write_kernel_spec(folder / "python3")  # argv: [sys.executable, -m, ipykernel_launcher, ...]
    specs = KernelSpecManager(kernel_dirs=[str(folder)], ensure_native_kernel=False)
    return KernelManager(kernel_name="python3", kernel_spec_manager=specs)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> list:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    manager = kernel_manager(tmp_path_factory.mktemp("kernels"))
    client = nbclient.NotebookClient(notebook, km=manager, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    try:
        client.execute()
    finally:
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def stdout(cell: dict) -> str:
    return "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")


def data(cell: dict) -> dict:
    results = [out for out in cell.outputs if out.output_type == "execute_result"]
    assert len(results) == 1, cell.outputs
    return results[0]["data"]


def test_the_notebook_is_stored_without_outputs() -> None:
    stored = json.loads(NOTEBOOK.read_text())
    assert all(not cell.get("outputs") for cell in stored["cells"])


@pytest.mark.slow
def test_the_tour_solves(executed: list) -> None:
    assert stdout(executed[1]) == "value -12.0\ndf/dx = -4\ndf/dy = -4\ndf/dz = 3\n"
    shown = data(executed[2])
    assert "| $\\partial \\mathrm{f} / \\partial \\mathrm{z}$ | `x + y` | $3$ |" in \
        shown["text/markdown"]
    assert "<td>$3$</td>" in shown["text/html"]


@pytest.mark.slow
def test_the_tour_checks(executed: list) -> None:
    assert stdout(executed[3]).startswith("score 4/17; 4 of 16 steps correct; first to fix: ")
    assert stdout(executed[4]) == "15 of 17\n"
    assert "| `f8` | correct |" in data(executed[4])["text/markdown"]


@pytest.mark.slow
def test_the_tour_explains(executed: list) -> None:
    markdown = data(executed[5])["text/markdown"]
    assert markdown.startswith("# A max gate routes the gradient")
    assert "$$" in markdown and "\\frac{\\partial f_{1}}{\\partial x}" in markdown
    assert "$$" in data(executed[5])["text/html"]
    assert stdout(executed[6]).startswith("# sigmoid-neuron: A sigmoid neuron with two inputs")
