/*
 * schema_pg.c - the PostgreSQL schema (issue 20): filled in by the
 * baseline and later migrations.
 */
#include "deskmail/schema_pg.h"
