pub mod fake_goaddon;
