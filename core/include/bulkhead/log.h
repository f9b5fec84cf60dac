/*
 * Levelled log lines, tagged with the CPU that prints them. The level is
 * CONFIG_LOG_LEVEL; messages above it cost nothing at run time.
 */
#ifndef BULKHEAD_LOG_H
#define BULKHEAD_LOG_H

#define LOG_ERR 0
#define LOG_WARN 1
#define LOG_INFO 2
#define LOG_DEBUG 3

void log_printf(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_at(level, ...)                                                                         \
	do {                                                                                       \
		if ((level) <= CONFIG_LOG_LEVEL)                                                   \
			log_printf((level), __VA_ARGS__);                                          \
	} while (0)
#define log_err(...) log_at(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_at(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_at(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)

#endif
