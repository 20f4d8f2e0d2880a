module multimagasins/orchestrator

go 1.26.0

require multimagasins/kit v0.0.0

replace multimagasins/kit => ../services/kit
