fn main() {
    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let t = std::time::Instant::now();
    let r = guest::work(n);
    println!("native {} {:.3}", r, t.elapsed().as_secs_f64());
}
