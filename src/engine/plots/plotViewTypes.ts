/** The renderer inputs, for src/node and the CLI, which reach the protocol only through the engine. */
export * from '../../protocol/plotViews';
