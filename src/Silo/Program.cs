// Entry point of a standalone silo process.
return 0;
