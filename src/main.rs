fn main() -> std::process::ExitCode {
    goakit::cli::main()
}
