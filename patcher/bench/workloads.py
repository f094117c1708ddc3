"""The sources the expansion benchmark compiles: one file per real macro, of the size a
macro-heavy crate has, generated so that nothing but the macro's input varies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Workload:
    name: str
    macro_crate: str  # the proc-macro crate doing the work
    description: str
    source: str


def _repeated(header: str, item: Callable[[int], str], items: int) -> str:
    """`header`, then items 0 to `items` - 1."""
    return "\n".join([header + "\n", *(item(i) for i in range(items))])


def serde(items: int = 300) -> Workload:
    """`items` structs of 10 fields and `items` enums, deriving Serialize and Deserialize."""
    types = ("u32", "String", "Option<u64>", "Vec<u8>", "bool")
    fields = "".join(f"    pub f{j}: {types[j % len(types)]},\n" for j in range(10))

    def item(i: int) -> str:
        return (
            f"#[derive(Serialize, Deserialize)]\npub struct S{i} {{\n{fields}}}\n\n"
            f'#[derive(Serialize, Deserialize)]\n#[serde(rename_all = "snake_case")]\n'
            f"pub enum E{i} {{ Unit, Newtype(u32), Tuple(u8, String), Struct {{ x: String, y: u64 }} }}\n"
        )

    description = f"{items} structs of 10 fields and {items} enums of 4 variants, Serialize + Deserialize"
    return Workload(
        "serde", "serde_derive", description, _repeated("use serde::{Deserialize, Serialize};", item, items)
    )


def clap(items: int = 100) -> Workload:
    """`items` command lines: a Parser with 7 arguments, its Subcommand, Args and ValueEnum."""

    def item(i: int) -> str:
        return f"""/// Tool number {i}.
#[derive(Parser, Debug)]
#[command(name = "tool{i}", about = "Tool {i}", long_about = None)]
pub struct Cli{i} {{
    /// The input file
    #[arg(short, long)]
    pub input: String,
    /// How many times
    #[arg(short = 'n', long, default_value_t = 3)]
    pub count: u32,
    /// Say more
    #[arg(short, long)]
    pub verbose: bool,
    #[arg(long, value_enum, default_value_t = Mode{i}::Fast)]
    pub mode: Mode{i},
    #[arg(long)]
    pub tag: Vec<String>,
    #[arg(long, env = "TOOL_LIMIT")]
    pub limit: Option<u64>,
    #[command(subcommand)]
    pub command: Option<Command{i}>,
}}

#[derive(Subcommand, Debug)]
pub enum Command{i} {{
    /// Run it
    Run {{
        #[arg(long)]
        fast: bool,
    }},
    Show(Show{i}),
    Stop,
}}

#[derive(Args, Debug)]
pub struct Show{i} {{
    #[arg(long)]
    pub all: bool,
    pub name: Option<String>,
}}

#[derive(ValueEnum, Clone, Debug)]
pub enum Mode{i} {{
    Fast,
    Slow,
}}
"""

    description = f"{items} command lines: Parser (7 arguments), Subcommand, Args and ValueEnum"
    return Workload(
        "clap", "clap_derive", description, _repeated("use clap::{Args, Parser, Subcommand, ValueEnum};", item, items)
    )


def thiserror(items: int = 300) -> Workload:
    """`items` error enums of 5 variants (#[from], #[source], transparent) and as many structs."""

    def item(i: int) -> str:
        return f"""#[derive(Error, Debug)]
pub enum Error{i} {{
    #[error("io failed: {{0}}")]
    Io(#[from] std::io::Error),
    #[error("bad value {{value}} at {{line}}:{{col}}")]
    Bad {{ value: String, line: u32, col: u32 }},
    #[error("parse failed: {{source}}")]
    Parse {{ #[source] source: std::num::ParseIntError }},
    #[error("wrapped")]
    Wrapped(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error(transparent)]
    Fmt(#[from] std::fmt::Error),
}}

#[derive(Error, Debug)]
#[error("failure {{code}} in {{place}}")]
pub struct Failure{i} {{
    pub code: i32,
    pub place: String,
}}
"""

    description = f"{items} error enums of 5 variants and {items} error structs"
    return Workload("thiserror", "thiserror_impl", description, _repeated("use thiserror::Error;", item, items))


DESCRIBE_TRAIT = "pub trait Describe {\n    fn describe(&self) -> String;\n}\n"


def describe(fields: int = 1000) -> Workload:
    """The project's own syn-based derive (e2e/macros/describe) on one wide struct."""
    body = "".join(f"    field_{i}: u32,\n" for i in range(fields))
    source = f"use describe::Describe;\n{DESCRIBE_TRAIT}\n#[derive(Describe)]\npub struct Big {{\n{body}}}\n"
    return Workload("describe", "describe", f"one struct of {fields} fields", source)


def all_workloads() -> list[Workload]:
    return [serde(), clap(), thiserror(), describe()]
