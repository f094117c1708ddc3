use std::error::Error as _;
use std::num::ParseIntError;

use thiserror::Error;

#[derive(Debug, Error)]
enum ConfigError {
    #[error("missing setting `{0}`")]
    Missing(String),
    #[error("port is not a number")]
    Port(#[from] ParseIntError),
    #[error("port {port} is reserved (below {min})")]
    Reserved { port: u16, min: u16 },
}

fn port(settings: &[(&str, &str)]) -> Result<u16, ConfigError> {
    let text = settings
        .iter()
        .find(|(key, _)| *key == "port")
        .map(|(_, value)| *value)
        .ok_or_else(|| ConfigError::Missing("port".to_string()))?;
    let port: u16 = text.parse()?;
    if port < 1024 {
        return Err(ConfigError::Reserved { port, min: 1024 });
    }
    Ok(port)
}

fn main() {
    let cases: [&[(&str, &str)]; 4] = [&[("port", "8080")], &[], &[("port", "http")], &[("port", "80")]];
    for settings in cases {
        match port(settings) {
            Ok(port) => println!("ok: {port}"),
            Err(err) => {
                print!("error: {err}");
                if let Some(source) = err.source() {
                    print!(" (caused by: {source})");
                }
                println!();
            }
        }
    }
}
