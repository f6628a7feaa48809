"""minqing's command line: parse options, call one function of minqing.ledgers, render the result."""
