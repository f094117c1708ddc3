use clap::Parser;

#[derive(Parser, Debug)]
#[command(rename_all = "shouty")]
struct Args {
    #[arg(long)]
    name: String,
}

fn main() {
    println!("{:?}", Args::parse_from(["app", "--name", "Ferris"]));
}
