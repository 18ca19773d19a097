/** kvctl, the command line for data operations, built on the public SDK only. */
package dev.kv.client.cli;
