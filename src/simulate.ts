// `vllm-simulator simulate`: the offline planner lives in src/modules/simulate.
export { runSimulate } from './modules/simulate/simulate-command';
