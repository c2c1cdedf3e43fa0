"""The counted progress bar of long CLI jobs (grading every buyer, posting a statement, the daily run, the
dunning run, the forecast, the demo build): the shell side of `arguard.core.progress`.

Rich is imported when a bar is drawn, not when a command module is imported (`--help` stays light)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from arguard.core.progress import Progress

QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar on stderr.")]


@contextmanager
def progress_bar(description: str, quiet: bool = False) -> Iterator[Progress]:
    """A counted bar on stderr: yields the `Progress` callback to hand to the service. One line per phase
    with done/total, share, rate, time left and time taken; hidden when stderr is not a terminal or with
    --quiet (piped JSON and CSV stay clean), and gone when the job ends."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        Task,
        TaskID,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as Bar
    from rich.text import Text

    from arguard.cli.common import err_console

    class Rate(ProgressColumn):
        """Items per second of the phase."""

        def render(self, task: Task) -> Text:
            return Text(f"{task.speed:,.0f}/s" if task.speed else "", style="progress.data.speed")

    hidden = quiet or not err_console.is_terminal
    with Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
             Rate(), TimeRemainingColumn(), TimeElapsedColumn(),
             console=err_console, transient=True, disable=hidden) as bar:
        tasks: dict[str, TaskID] = {}
        if not hidden:
            bar.console.print(f"[dim]{description} …[/dim]")

        def report(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield report
