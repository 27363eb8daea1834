// Entry point of the graphcast CLI.
return 0;
