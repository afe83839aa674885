"""The `medfund` command: one entry point; each group lives in the package that owns it."""

import typer

from medfund_cli.console_tour import app as console_app
from medfund_cli.demo.command import demo as demo_command
from medfund_cli.help_format import show_flags_without_a_type
from medfund_cli.policy import app as policy_app
from medfund_cli.settlement import app as settlement_app
from medfund_cli.whatif import whatif as whatif_command
from medfund_deploy.cli import app as stack_app
from medfund_ledger.cli import alerts_app, ledger_app
from medfund_shared.auth_cli import token as token_command
from medfund_shared.events.cli import app as events_app

show_flags_without_a_type()
app = typer.Typer(help="medfund: settlement platform for basic medical insurance.", no_args_is_help=True)

app.add_typer(stack_app, name="stack")
app.command("token")(token_command)
app.add_typer(events_app, name="events")
app.add_typer(policy_app, name="policy")
app.add_typer(ledger_app, name="ledger")
app.add_typer(alerts_app, name="alerts")
app.add_typer(settlement_app, name="settlement")
app.command("whatif")(whatif_command)
app.command("demo")(demo_command)
app.add_typer(console_app, name="console")
