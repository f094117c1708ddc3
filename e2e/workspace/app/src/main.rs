use clap::{Parser, Subcommand};
use model::{Event, ModelError, Order};
use tracing::instrument;

/// Place and inspect orders.
#[derive(Parser, Debug)]
#[command(name = "app", version, about)]
struct Cli {
    /// Print events as pretty JSON
    #[arg(long)]
    pretty: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Place an order
    Place {
        item: String,
        #[arg(short, long, default_value_t = 1)]
        quantity: u16,
    },
    /// Parse an order given as JSON
    Parse { json: String },
    /// List the fields of an order
    Fields,
}

#[instrument]
fn total(quantity: u16, unit_price: u32) -> u32 {
    u32::from(quantity) * unit_price
}

fn run(cli: Cli) -> Result<(), ModelError> {
    match cli.command {
        Command::Place { item, quantity } => {
            let event = Event::Placed { order: Order::new(42, &item, quantity) };
            let json = if cli.pretty { serde_json::to_string_pretty(&event) } else { serde_json::to_string(&event) };
            println!("{}", json?);
            println!("total: {}", total(quantity, 250));
        }
        Command::Parse { json } => println!("{:?}", Order::parse(&json)?),
        Command::Fields => println!("{}", Order::fields().join(", ")),
    }
    Ok(())
}

fn main() {
    if let Err(err) = run(Cli::parse()) {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}
