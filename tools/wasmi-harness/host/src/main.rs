//! `host MODULE N fuel|nofuel eager|lazy|lazy-translation`: run the guest's `run(N)` in
//! wasmi as the compiler's runtime crate configures it (fuel on, lazy translation) or
//! with one setting changed; prints the result, the run's seconds, the module's
//! compile seconds and the fuel used.
use wasmi::*;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).unwrap();
    let n: u32 = args[2].parse().unwrap();
    let fuel = args[3] == "fuel";
    let mode = match args[4].as_str() { "eager" => CompilationMode::Eager, "lazy" => CompilationMode::Lazy, _ => CompilationMode::LazyTranslation };
    let mut config = Config::default();
    config.consume_fuel(fuel);
    config.compilation_mode(mode);
    let engine = Engine::new(&config);
    let t0 = std::time::Instant::now();
    let module = Module::new(&engine, &bytes).unwrap();
    let t1 = t0.elapsed().as_secs_f64();
    let mut store = Store::new(&engine, ());
    if fuel { store.set_fuel(u64::MAX / 2).unwrap(); }
    let linker = Linker::<()>::new(&engine);
    let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<u32, u32>(&store, "run").unwrap();
    let t = std::time::Instant::now();
    let r = run.call(&mut store, n).unwrap();
    let used = if fuel { u64::MAX / 2 - store.get_fuel().unwrap() } else { 0 };
    println!("wasm {} {:.3} compile {:.3} fuel {}", r, t.elapsed().as_secs_f64(), t1, used);
}
