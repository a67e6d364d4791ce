#include <sqlite3.h>

/* sqlite3_db_config is variadic, which Swift cannot call: a typed wrapper for the options that
   take an int to set and an int pointer to read back. */
static inline int maint_sqlite3_db_config_int(sqlite3 *db, int op, int value, int *result) { return sqlite3_db_config(db, op, value, result); }
