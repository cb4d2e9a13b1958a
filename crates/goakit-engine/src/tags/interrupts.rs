//! `{% break %}` and `{% continue %}` (Ruby `Break`, `Continue`): push an
//! interrupt; every body stops after the node that raised it, the
//! innermost `for` consumes it. Outside a loop the rest of the template
//! stops rendering, as in Ruby.
