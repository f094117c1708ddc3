use clap::{CommandFactory, Parser};

/// Greets people, from a program compiled in your browser.
#[derive(Parser, Debug)]
#[command(name = "greet", version = "1.0")]
struct Args {
    /// Who to greet
    #[arg(short, long, default_value = "world")]
    name: String,
    /// How many times
    #[arg(short, long, default_value_t = 1)]
    count: u8,
    /// Shout the greeting
    #[arg(long)]
    shout: bool,
}

fn main() {
    let args = Args::parse_from(["greet", "--name", "Ferris", "--count", "2", "--shout"]);
    println!("{args:?}");
    for _ in 0..args.count {
        let greeting = format!("Hello, {}!", args.name);
        println!("{}", if args.shout { greeting.to_uppercase() } else { greeting });
    }
    let error = Args::try_parse_from(["greet", "--count", "many"]).unwrap_err();
    println!("{}", error.render());
    println!("{}", Args::command().render_help());
}
