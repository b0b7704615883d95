/**
 * The vLLM release the simulator is (`/version`, gRPC GetServerInfo, metrics, the start log): its
 * wire format is followed, and the served engine is timed as this release's family times it
 * (async scheduling, the API server's time; data/step-model.json).
 */
export const SIMULATED_VLLM_VERSION = '0.15.1';
